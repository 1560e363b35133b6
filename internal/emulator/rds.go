package emulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// CreateDB creates a small PostgreSQL DB instance named id and returns it.
func CreateDB(t testing.TB, client *rds.Client, id string) *rdstypes.DBInstance {
	t.Helper()
	out, err := client.CreateDBInstance(t.Context(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20),
		MasterUsername: aws.String("app"), MasterUserPassword: aws.String("not-a-secret-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.DBInstance
}
