package snooze

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
)

// ec2Instance is an EC2 instance: ids start with i-.
type ec2Instance struct{}

func (ec2Instance) owns(id string) bool { return strings.HasPrefix(id, "i-") }

func (ec2Instance) find(ctx context.Context, c Clients, id string) (Resource, bool, error) {
	out, err := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "InvalidInstanceID.NotFound" || api.ErrorCode() == "InvalidInstanceID.Malformed") ||
		err == nil && (len(out.Reservations) == 0 || len(out.Reservations[0].Instances) == 0) {
		return Resource{}, false, nil
	}
	if err != nil {
		return Resource{}, false, err
	}
	tags := out.Reservations[0].Instances[0].Tags
	until, ok := ec2Tag(tags, accounts.SnoozeUntilTag)
	by, _ := ec2Tag(tags, accounts.SnoozedByTag)
	return Resource{Type: history.EC2Instance, Kind: "EC2 instance", ref: id, Snoozed: ok, Until: until, By: by}, true, nil
}

func (ec2Instance) tag(ctx context.Context, c Clients, id string, tags []tag) error {
	in := &ec2.CreateTagsInput{Resources: []string{id}}
	for _, t := range tags {
		in.Tags = append(in.Tags, ec2types.Tag{Key: aws.String(t.key), Value: aws.String(t.value)})
	}
	_, err := c.EC2.CreateTags(ctx, in)
	return err
}

func (ec2Instance) untag(ctx context.Context, c Clients, id string) error {
	_, err := c.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{
		Resources: []string{id},
		Tags:      []ec2types.Tag{{Key: aws.String(accounts.SnoozeUntilTag)}},
	})
	return err
}

func (ec2Instance) list(ctx context.Context, c Clients) ([]Snoozed, error) {
	var out []Snoozed
	pages := ec2.NewDescribeInstancesPaginator(c.EC2, &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag-key"), Values: []string{accounts.SnoozeUntilTag}}},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				if v, ok := ec2Tag(i.Tags, accounts.SnoozeUntilTag); ok {
					by, _ := ec2Tag(i.Tags, accounts.SnoozedByTag)
					out = append(out, Snoozed{Type: history.EC2Instance, Kind: "EC2 instance", ID: aws.ToString(i.InstanceId), Until: v, By: by})
				}
			}
		}
	}
	return out, nil
}

func ec2Tag(tags []ec2types.Tag, key string) (string, bool) {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value), true
		}
	}
	return "", false
}
