package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/console"
)

func newConsoleCommand(a *app) *cobra.Command {
	var r listReader
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Print console switch-role links and the AWS Extend Switch Roles configuration",
		Long: `Print, for every target account, the AWS console link that switches to DeveloperAccess
(production in red), and the configuration text for the "AWS Extend Switch Roles" browser
extension. Sign in to the identity account as your IAM user first, with MFA.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConsole(cmd.Context(), a, r)
		},
	}
	addListReaderFlags(cmd, &r)
	return cmd
}

func runConsole(ctx context.Context, a *app, r listReader) error {
	m, err := a.withFound(ctx, r.orIdentity(a))
	if err != nil {
		return err
	}
	identity := a.m.IdentityAccount()
	fmt.Fprintf(a.stdout, "Switch-role links (sign in to %s, account %s, as your IAM user with MFA first):\n\n", identity.Name, identity.ID)
	w := newTable(a.stdout)
	for _, l := range console.Links(m, a.prefix) {
		w.Row(l.DisplayName, string(l.Account.Environment), l.URL)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nAWS Extend Switch Roles configuration (extension > Configure, paste, Save):\n\n%s", console.ExtensionConfig(m, a.prefix))
	return nil
}
