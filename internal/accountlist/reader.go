package accountlist

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curfew/curfew/internal/accounts"
)

// Read reads the list a developer's command needs (profiles, console, snooze of a found
// account): as the IAM user of cfg (the identity profile, for its region and endpoint)
// in session, the day's MFA session, since the developers' self-service policy denies
// everything else to keys without MFA. There is one MFA path: the session is the one
// every curfew profile uses (package mfasession), never one of the reader's own.
func Read(ctx context.Context, cfg aws.Config, session aws.Credentials, m *accounts.Map) (List, error) {
	cfg = cfg.Copy()
	cfg.Credentials = credentials.StaticCredentialsProvider{Value: session}
	// A custom endpoint (an emulator) is reached path-style: bucket.localhost does not resolve.
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
	return Store{Client: client, Bucket: Bucket(m), Owner: m.HomeAccount().ID}.Get(ctx, m)
}

// CallerIdentityAPI is the STS call OwnMFADevice makes.
type CallerIdentityAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// MFADevicesAPI is the IAM call OwnMFADevice makes.
type MFADevicesAPI interface {
	ListMFADevices(context.Context, *iam.ListMFADevicesInput, ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error)
}

var (
	_ CallerIdentityAPI = (*sts.Client)(nil)
	_ MFADevicesAPI     = (*iam.Client)(nil)
)

// OwnMFADevice returns the caller's one MFA device. STS names the caller (no policy can
// deny GetCallerIdentity), and the self-service policy lets keys without MFA list their
// own devices, for exactly this.
func OwnMFADevice(ctx context.Context, who CallerIdentityAPI, devices MFADevicesAPI) (string, error) {
	id, err := who.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("ask STS who you are: %w", err)
	}
	arn := aws.ToString(id.Arn)
	resource, ok := strings.CutPrefix(arn, "arn:aws:iam::"+aws.ToString(id.Account)+":user/")
	if !ok {
		return "", fmt.Errorf("%s is not an IAM user: the list is read with your IAM user's keys", arn)
	}
	user := resource[strings.LastIndex(resource, "/")+1:]
	out, err := devices.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String(user)})
	if err != nil {
		return "", fmt.Errorf("list the MFA devices of %s: %w", user, err)
	}
	switch len(out.MFADevices) {
	case 0:
		return "", fmt.Errorf("IAM user %s has no MFA device: enrol one in the console first", user)
	case 1:
		return aws.ToString(out.MFADevices[0].SerialNumber), nil
	}
	return "", fmt.Errorf("IAM user %s has %d MFA devices", user, len(out.MFADevices))
}
