package cdk_test

import (
	"fmt"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// TestAutoScalingAccessBySimulation asks the simulator what curfew's principals may do to
// Auto Scaling groups: CurfewScheduler scales and marks a group in a swept account,
// never one tagged curfew:skip=true, never with other tag keys, never outside the map's
// regions, and nothing at all in production, where it has no role.
func TestAutoScalingAccessBySimulation(t *testing.T) {
	simulateEachMap(t, autoScalingQuestions)
}

func groupARN(region, account string) string {
	return fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0:autoScalingGroupName/web", region, account)
}

func autoScalingQuestions(t *testing.T, o *org) []question {
	p := principals{t, o}
	m := o.m
	var qs []question
	marks := []any{accounts.StoppedAtTag, accounts.StoppedByRunTag, accounts.CapacityTag}
	for _, a := range m.Swept() {
		group := groupARN(a.DefaultRegion(), a.ID)
		call := p.schedulerCalls(a, func(q question) { qs = append(qs, q) })
		call("describes Auto Scaling groups", "autoscaling:DescribeAutoScalingGroups", "*", nil, allowed)
		call("describes scheduled actions", "autoscaling:DescribeScheduledActions", "*", nil, allowed)
		call("scales a group", "autoscaling:UpdateAutoScalingGroup", group, nil, allowed)
		for _, v := range []string{"true", "TRUE"} {
			call("scales a group tagged curfew:skip="+v, "autoscaling:UpdateAutoScalingGroup", group,
				map[string]any{"aws:ResourceTag/" + accounts.SkipTag: v}, explicitlyDenied, "aws:ResourceTag/"+accounts.SkipTag)
		}
		call("scales a group tagged curfew:skip=false", "autoscaling:UpdateAutoScalingGroup", group,
			map[string]any{"aws:ResourceTag/" + accounts.SkipTag: "false"}, allowed, "aws:ResourceTag/"+accounts.SkipTag)
		call("scales a group in a region not in the map", "autoscaling:UpdateAutoScalingGroup", groupARN("ap-south-1", a.ID), nil, denied)
		for _, action := range []string{"autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags"} {
			call(action+" with its mark", action, group, map[string]any{"aws:TagKeys": marks}, allowed, "aws:TagKeys")
			call(action+" with curfew:skip", action, group, map[string]any{"aws:TagKeys": []any{accounts.SkipTag}}, denied, "aws:TagKeys")
			call(action+" with curfew:snooze-until", action, group, map[string]any{"aws:TagKeys": []any{accounts.SnoozeUntilTag}}, denied, "aws:TagKeys")
			call(action+" with Name", action, group, map[string]any{"aws:TagKeys": []any{"Name", accounts.CapacityTag}}, denied, "aws:TagKeys")
			call(action+" without tag keys", action, group, nil, denied)
		}
		for _, action := range []string{"autoscaling:DeleteAutoScalingGroup", "autoscaling:SetDesiredCapacity",
			"autoscaling:TerminateInstanceInAutoScalingGroup", "autoscaling:SuspendProcesses", "autoscaling:PutScheduledUpdateGroupAction"} {
			call("calls "+action, action, group, nil, denied)
		}
	}

	// Production: no curfew principal scales or tags a group; there is no scheduler role.
	return append(qs, p.productionUntouched(func(region, account string) []actionOn {
		var calls []actionOn
		for _, action := range []string{"autoscaling:UpdateAutoScalingGroup", "autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags"} {
			calls = append(calls, actionOn{action, groupARN(region, account)})
		}
		return calls
	})...)
}
