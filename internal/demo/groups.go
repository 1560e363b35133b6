package demo

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// demoCluster is the ECS cluster of the demo's services.
const demoCluster = "apps"

// createASG creates an Auto Scaling group of m.Size instances with capacity
// m.Capacity (min/desired/max).
func createASG(ctx context.Context, cfg aws.Config, m member, tags map[string]string) (string, error) {
	var minSize, desired, maxSize int32
	if _, err := fmt.Sscanf(m.Capacity, "%d/%d/%d", &minSize, &desired, &maxSize); err != nil {
		return "", fmt.Errorf("capacity %q is not min/desired/max", m.Capacity)
	}
	if _, err := ec2.NewFromConfig(cfg).CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(m.Name),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceType(m.Size)},
	}); err != nil {
		return "", err
	}
	var asgTags []asgtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		asgTags = append(asgTags, asgtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k]), PropagateAtLaunch: aws.Bool(false),
			ResourceId: aws.String(m.Name), ResourceType: aws.String("auto-scaling-group")})
	}
	_, err := autoscaling.NewFromConfig(cfg).CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(m.Name),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String(m.Name), Version: aws.String("$Latest")},
		MinSize:              aws.Int32(minSize), DesiredCapacity: aws.Int32(desired), MaxSize: aws.Int32(maxSize),
		AvailabilityZones: []string{m.Region + "a"}, Tags: asgTags,
	})
	return m.Name, err
}

// createECSService creates a Fargate service of the demo's cluster with m.Capacity
// ("desired min/max") tasks, its desired count a scalable target from min to max.
func createECSService(ctx context.Context, cfg aws.Config, m member, tags map[string]string) (string, error) {
	var desired, minCapacity, maxCapacity int32
	if _, err := fmt.Sscanf(m.Capacity, "%d %d/%d", &desired, &minCapacity, &maxCapacity); err != nil {
		return "", fmt.Errorf("capacity %q is not \"desired min/max\"", m.Capacity)
	}
	c := ecs.NewFromConfig(cfg)
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(demoCluster)}); err != nil {
		return "", err
	}
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(m.Name), Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String(m.Name), Image: aws.String("public.ecr.aws/nginx/nginx"), Memory: aws.Int32(512)}},
	}); err != nil {
		return "", err
	}
	var ecsTags []ecstypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		ecsTags = append(ecsTags, ecstypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String(demoCluster), ServiceName: aws.String(m.Name), TaskDefinition: aws.String(m.Name),
		DesiredCount: aws.Int32(desired), LaunchType: ecstypes.LaunchTypeFargate, Tags: ecsTags,
	}); err != nil {
		return "", err
	}
	_, err := applicationautoscaling.NewFromConfig(cfg).RegisterScalableTarget(ctx, &applicationautoscaling.RegisterScalableTargetInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		ResourceId: aws.String("service/" + demoCluster + "/" + m.Name), MinCapacity: aws.Int32(minCapacity), MaxCapacity: aws.Int32(maxCapacity),
	})
	return demoCluster + "/" + m.Name, err
}

// observeGroup reads a group's capacity (min/desired/max); it runs while its desired
// capacity is above zero.
func observeGroup(ctx context.Context, cfg aws.Config, o *Observed) (map[string]string, error) {
	r, err := autoscaling.NewFromConfig(cfg).DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{o.ID}})
	if err != nil || len(r.AutoScalingGroups) != 1 {
		return nil, fmt.Errorf("describe %s: %v", o.Name, err)
	}
	g := r.AutoScalingGroups[0]
	o.Capacity = fmt.Sprintf("%d/%d/%d", aws.ToInt32(g.MinSize), aws.ToInt32(g.DesiredCapacity), aws.ToInt32(g.MaxSize))
	o.State = runningIf(aws.ToInt32(g.DesiredCapacity) > 0)
	tags := map[string]string{}
	for _, t := range g.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// observeService reads a service's desired count and its scalable target's
// MinCapacity/MaxCapacity ("desired min/max"); it runs while its desired count is above zero.
func observeService(ctx context.Context, cfg aws.Config, o *Observed) (map[string]string, error) {
	name := o.ID[len(demoCluster)+1:]
	r, err := ecs.NewFromConfig(cfg).DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster: aws.String(demoCluster), Services: []string{name}, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
	})
	if err != nil || len(r.Services) != 1 {
		return nil, fmt.Errorf("describe %s: %v", o.Name, err)
	}
	s := r.Services[0]
	t, err := applicationautoscaling.NewFromConfig(cfg).DescribeScalableTargets(ctx, &applicationautoscaling.DescribeScalableTargetsInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceIds: []string{"service/" + o.ID},
	})
	if err != nil || len(t.ScalableTargets) != 1 {
		return nil, fmt.Errorf("describe the scalable target of %s: %v", o.Name, err)
	}
	st := t.ScalableTargets[0]
	o.Capacity = fmt.Sprintf("%d %d/%d", s.DesiredCount, aws.ToInt32(st.MinCapacity), aws.ToInt32(st.MaxCapacity))
	o.State = runningIf(s.DesiredCount > 0)
	tags := map[string]string{}
	for _, t := range s.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

func runningIf(up bool) string {
	if up {
		return "running"
	}
	return "stopped"
}
