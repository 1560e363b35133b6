package snoozelink

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/curfew/curfew/internal/accounts"
)

// SSMAPI is the part of the SSM client the key uses.
type SSMAPI interface {
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
}

var _ SSMAPI = (*ssm.Client)(nil)

// LoadKey reads the signing key from the SecureString accounts.HeadsUpKeyParameter
// (base64 of its bytes) and refuses one shorter than MinKey bytes.
func LoadKey(ctx context.Context, c SSMAPI) ([]byte, error) {
	out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(accounts.HeadsUpKeyParameter), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the link key %s: %w", accounts.HeadsUpKeyParameter, err)
	}
	key, err := base64.StdEncoding.DecodeString(aws.ToString(out.Parameter.Value))
	if err != nil {
		return nil, fmt.Errorf("read the link key %s: not base64", accounts.HeadsUpKeyParameter)
	}
	if len(key) < MinKey {
		return nil, fmt.Errorf("read the link key %s: %w", accounts.HeadsUpKeyParameter, ErrShortKey)
	}
	return key, nil
}

// EnsureKey returns the signing key, creating it (MinKey random bytes) when it is
// missing. Two runs creating it at once agree: the put never overwrites, and the loser
// reads the winner's key.
func EnsureKey(ctx context.Context, c SSMAPI) ([]byte, error) {
	key, err := LoadKey(ctx, c)
	var missing *ssmtypes.ParameterNotFound
	if !errors.As(err, &missing) {
		return key, err
	}
	fresh := make([]byte, MinKey)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String(accounts.HeadsUpKeyParameter), Type: ssmtypes.ParameterTypeSecureString,
		Value:       aws.String(base64.StdEncoding.EncodeToString(fresh)),
		Overwrite:   aws.Bool(false),
		Description: aws.String("curfew: the key heads-up links are signed with; deleting it invalidates every link sent"),
	})
	var exists *ssmtypes.ParameterAlreadyExists
	switch {
	case errors.As(err, &exists):
		return LoadKey(ctx, c)
	case err != nil:
		return nil, fmt.Errorf("create the link key %s: %w", accounts.HeadsUpKeyParameter, err)
	}
	return fresh, nil
}
