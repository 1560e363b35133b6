package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/credprocess"
	"github.com/curfew/curfew/internal/mfasession"
)

func newLogoutCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the day's MFA session and the role credentials cached from it",
		Long: `Remove the MFA sessions and role credentials curfew keeps in its cache: the next AWS call
with a curfew profile fails until curfew login opens a new session. Credentials already
handed to a running program (curfew exec, eval "$(curfew env ...)") last until they
expire. An Identity Center sign-in ends with aws sso logout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cache, err := mfasession.OpenCache(a.cacheDir)
			if err != nil {
				return a.explain(err, credprocess.Profile{}.Cause())
			}
			n, err := cache.Clear(cmd.Context())
			if err != nil {
				return fmt.Errorf("clear the credential cache %s: %w", cache.Dir(), err)
			}
			fmt.Fprintf(a.stderr, "removed %d cached session file(s) from %s: the next AWS call with a curfew profile needs `curfew login`\n", n, cache.Dir())
			return nil
		},
	}
}
