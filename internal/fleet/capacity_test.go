package fleet_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/curfew/curfew/internal/history"
)

// The shutdown records how each scaled-in group's capacity is bought and what it runs, so
// that the cost report prices it as what it is: an EKS node group of Spot Graviton nodes
// (capacityType SPOT, amiType AL2_ARM_64), one of Windows on-demand nodes, a Fargate Spot
// service of ARM64 tasks (capacity provider FARGATE_SPOT, the task definition's runtime
// platform) and an on-demand Fargate service of x86 Linux tasks, read from the describe
// calls the shutdown already makes; an Auto Scaling group's from its members as the
// instance step described them.
func TestHistoryRecordsCapacityTypeAndPlatform(t *testing.T) {
	t.Parallel()
	f := emptyFleet(t).withLayer()
	ctx := t.Context()
	f.eksCluster("staging", west, "dev")
	for _, ng := range []struct {
		name, size string
		capacity   ekstypes.CapacityTypes
		ami        ekstypes.AMITypes
	}{
		{"spot-arm", "m6g.large", ekstypes.CapacityTypesSpot, ekstypes.AMITypesAl2Arm64},
		{"windows", "m5.large", ekstypes.CapacityTypesOnDemand, ekstypes.AMITypesWindowsCore2022X8664},
	} {
		if _, err := eks.NewFromConfig(f.config("staging", west)).CreateNodegroup(ctx, &eks.CreateNodegroupInput{
			ClusterName: aws.String("dev"), NodegroupName: aws.String(ng.name), Subnets: []string{"subnet-1"},
			NodeRole:      aws.String("arn:aws:iam::" + f.account("staging").ID + ":role/nodes"),
			InstanceTypes: []string{ng.size}, CapacityType: ng.capacity, AmiType: ng.ami,
			ScalingConfig: &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(1), DesiredSize: aws.Int32(2), MaxSize: aws.Int32(3)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	f.ecsCluster("staging", west, "apps")
	client := ecs.NewFromConfig(f.config("staging", west))
	if _, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("arm"), Cpu: aws.String("512"), Memory: aws.String("1024"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		RuntimePlatform:         &ecstypes.RuntimePlatform{CpuArchitecture: ecstypes.CPUArchitectureArm64, OperatingSystemFamily: ecstypes.OSFamilyLinux},
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(1024)}},
	}); err != nil {
		t.Fatal(err)
	}
	f.service("staging", west, "apps", "web", 2, ecstypes.LaunchTypeFargate, nil)
	f.createService("staging", west, "apps", "spot", &ecs.CreateServiceInput{DesiredCount: aws.Int32(3)}, nil)
	// moto drops a strategy given to CreateService: UpdateService sets it.
	if _, err := client.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: aws.String("apps"), Service: aws.String("spot"), TaskDefinition: aws.String("arm"),
		CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}},
	}); err != nil {
		t.Fatal(err)
	}
	// A plain Auto Scaling group: what its members run and how they are bought is read from
	// the instance step's describe (moto launches on-demand members, with no
	// PlatformDetails: TestGroupDimensions covers Spot and Windows members).
	f.group("staging", west, "plain", "1/1/2", nil)
	h, _ := f.layered(history.Shutdown) // moto cannot tag node groups: the layer does

	runs := shutdownHistory(t, f, h)

	want := map[string]history.Change{
		"dev/spot-arm": {Size: "m6g.large", Count: 2, Dimensions: history.Dimensions{Capacity: history.Spot, Platform: "Linux/UNIX"}},
		"dev/windows":  {Size: "m5.large", Count: 2, Dimensions: history.Dimensions{Capacity: history.OnDemand, Platform: "Windows"}},
		"apps/spot":    {Size: "fargate 512/1024", Count: 3, Dimensions: history.Dimensions{Capacity: history.Spot, Platform: "Linux/UNIX", Architecture: "ARM64"}},
		"plain":        {Size: "t3.micro", Count: 1, Dimensions: history.Dimensions{Capacity: history.OnDemand, Tenancy: "default"}},
		"apps/web":     {Size: "fargate 256/512", Count: 2, Dimensions: history.Dimensions{Capacity: history.OnDemand, Platform: "Linux/UNIX", Architecture: "X86_64"}},
	}
	for _, c := range runs[0].Changes {
		w, ok := want[c.ID]
		if !ok {
			continue
		}
		delete(want, c.ID)
		if c.Did(runs[0].Kind) != history.Stopped || c.Size != w.Size || c.Count != w.Count || c.Dimensions != w.Dimensions {
			t.Errorf("the shutdown's history of %s: %s, %d × %s, %+v; want stopped, %d × %s, %+v",
				c.ID, c.Did(runs[0].Kind), c.Count, c.Size, c.Dimensions, w.Count, w.Size, w.Dimensions)
		}
	}
	for id := range want {
		t.Errorf("the shutdown's history has no change for %s", id)
	}
}
