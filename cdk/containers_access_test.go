package cdk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// TestContainerAccessBySimulation asks the simulator what curfew's principals may do to
// ECS services, their scalable targets and EKS managed node groups: CurfewScheduler finds,
// scales and marks them in a swept account, never one tagged curfew:skip=true, never with
// other tag keys, never outside the map's regions, and nothing at all in production,
// where it has no role.
func TestContainerAccessBySimulation(t *testing.T) {
	simulateEachMap(t, containerQuestions)
}

func serviceARN(region, account string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:service/apps/web", region, account)
}

func scalableTargetARN(region, account string) string {
	return fmt.Sprintf("arn:aws:application-autoscaling:%s:%s:scalable-target/0ec1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7", region, account)
}

func nodegroupARN(region, account string) string {
	return fmt.Sprintf("arn:aws:eks:%s:%s:nodegroup/dev/general/5ec9a0b2-1c3d-4e5f-8a9b-0c1d2e3f4a5b", region, account)
}

func containerQuestions(t *testing.T, o *org) []question {
	p := principals{t, o}
	m := o.m
	var qs []question
	skipped := func(v string) map[string]any { return map[string]any{"aws:ResourceTag/" + accounts.SkipTag: v} }
	for _, a := range m.Swept() {
		region := a.DefaultRegion()
		svc, target, ng := serviceARN(region, a.ID), scalableTargetARN(region, a.ID), nodegroupARN(region, a.ID)
		cluster := fmt.Sprintf("arn:aws:eks:%s:%s:cluster/dev", region, a.ID)
		scheduler := p.schedulerCalls(a, func(q question) { qs = append(qs, q) })
		// Every call is made in the region of its resource (of the account's first
		// region for the lists): aws:RequestedRegion.
		call := func(name, action, resource string, ctx map[string]any, want string, honours ...string) {
			in := region
			if parts := strings.Split(resource, ":"); len(parts) > 3 && parts[3] != "" {
				in = parts[3]
			}
			scheduler(name, action, resource, merge(ctx, map[string]any{"aws:RequestedRegion": in}), want, honours...)
		}
		for _, action := range []string{"ecs:ListClusters", "ecs:ListServices", "ecs:DescribeTaskDefinition", "eks:ListClusters", "application-autoscaling:DescribeScalableTargets"} {
			call("calls "+action, action, "*", nil, allowed)
		}
		call("describes a service", "ecs:DescribeServices", svc, nil, allowed)
		call("lists node groups", "eks:ListNodegroups", cluster, nil, allowed)
		call("describes a node group", "eks:DescribeNodegroup", ng, nil, allowed)

		scale := []struct{ action, resource, other string }{
			{"ecs:UpdateService", svc, serviceARN("ap-south-1", a.ID)},
			{"application-autoscaling:RegisterScalableTarget", target, scalableTargetARN("ap-south-1", a.ID)},
			{"eks:UpdateNodegroupConfig", ng, nodegroupARN("ap-south-1", a.ID)},
		}
		for _, s := range scale {
			call("calls "+s.action, s.action, s.resource, nil, allowed)
			for _, v := range []string{"true", "TRUE"} {
				call("calls "+s.action+" on a resource tagged curfew:skip="+v, s.action, s.resource, skipped(v), explicitlyDenied, "aws:ResourceTag/"+accounts.SkipTag)
			}
			call("calls "+s.action+" on a resource tagged curfew:skip=false", s.action, s.resource, skipped("false"), allowed, "aws:ResourceTag/"+accounts.SkipTag)
			call("calls "+s.action+" in a region not in the map", s.action, s.other, nil, denied, "aws:RequestedRegion")
		}

		marks := []struct {
			actions  []string
			resource string
			keys     []any
			recorded string
		}{
			{[]string{"ecs:TagResource", "ecs:UntagResource"}, svc,
				[]any{accounts.StoppedAtTag, accounts.StoppedByRunTag, accounts.ECSDesiredTag, accounts.ECSMinCapacityTag}, accounts.ECSDesiredTag},
			{[]string{"eks:TagResource", "eks:UntagResource"}, ng,
				[]any{accounts.StoppedAtTag, accounts.StoppedByRunTag, accounts.NodegroupScalingTag}, accounts.NodegroupScalingTag},
		}
		for _, mk := range marks {
			for _, action := range mk.actions {
				call(action+" with its mark", action, mk.resource, map[string]any{"aws:TagKeys": mk.keys}, allowed, "aws:TagKeys")
				call(action+" with curfew:skip", action, mk.resource, map[string]any{"aws:TagKeys": []any{accounts.SkipTag}}, denied, "aws:TagKeys")
				call(action+" with curfew:snooze-until", action, mk.resource, map[string]any{"aws:TagKeys": []any{accounts.SnoozeUntilTag}}, denied, "aws:TagKeys")
				call(action+" with Name", action, mk.resource, map[string]any{"aws:TagKeys": []any{"Name", mk.recorded}}, denied, "aws:TagKeys")
				call(action+" without tag keys", action, mk.resource, nil, denied)
				call(action+" with its mark in a region not in the map", action, strings.Replace(mk.resource, region, "ap-south-1", 1),
					map[string]any{"aws:TagKeys": mk.keys}, denied, "aws:RequestedRegion")
			}
		}
		// Nothing else: no deleting, no new tasks, no changes to scaling policies or clusters.
		for _, c := range []struct{ action, resource string }{
			{"ecs:DeleteService", svc}, {"ecs:CreateService", svc}, {"ecs:RunTask", "*"}, {"ecs:StopTask", "*"},
			{"application-autoscaling:DeregisterScalableTarget", target}, {"application-autoscaling:PutScalingPolicy", target},
			{"application-autoscaling:PutScheduledAction", target},
			{"eks:DeleteNodegroup", ng}, {"eks:UpdateNodegroupVersion", ng}, {"eks:UpdateClusterConfig", cluster},
		} {
			call("calls "+c.action, c.action, c.resource, nil, denied)
		}
	}

	// Production: no curfew principal scales or tags a service or node group; there is
	// no scheduler role.
	return append(qs, p.productionUntouched(func(region, account string) []actionOn {
		return []actionOn{
			{"ecs:UpdateService", serviceARN(region, account)}, {"ecs:TagResource", serviceARN(region, account)},
			{"application-autoscaling:RegisterScalableTarget", scalableTargetARN(region, account)},
			{"eks:UpdateNodegroupConfig", nodegroupARN(region, account)}, {"eks:TagResource", nodegroupARN(region, account)},
		}
	})...)
}
