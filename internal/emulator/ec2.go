package emulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// AMI is one of moto's default images.
const AMI = "ami-12c6146b"

// RunInstance launches one t3.micro instance and returns its id.
func RunInstance(t testing.TB, client *ec2.Client) string {
	t.Helper()
	out, err := client.RunInstances(t.Context(), &ec2.RunInstancesInput{ImageId: aws.String(AMI), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Instances[0].InstanceId)
}

// InstanceState describes one instance: its state and its tags.
func InstanceState(t testing.TB, client *ec2.Client, id string) (ec2types.InstanceStateName, map[string]string) {
	t.Helper()
	out, err := client.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	i := out.Reservations[0].Instances[0]
	tags := map[string]string{}
	for _, tg := range i.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return i.State.Name, tags
}
