package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/console"
)

// consoleInput is what `curfew console` is asked to print.
type consoleInput struct {
	prefix string
}

func newConsoleCommand(a *app) *cobra.Command {
	var in consoleInput
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Print console switch-role links and the AWS Extend Switch Roles configuration",
		Long: `Print, for every target account, the AWS console link that switches to DeveloperAccess
(production in red), and the configuration text for the "AWS Extend Switch Roles" browser
extension. Sign in to the identity account as your IAM user first, with MFA.`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return runConsole(a, in)
		},
	}
	cmd.Flags().StringVar(&in.prefix, "prefix", "", "put this in front of every display name, as with curfew profiles --prefix")
	return cmd
}

func runConsole(a *app, in consoleInput) error {
	identity := a.m.IdentityAccount()
	fmt.Fprintf(a.stdout, "Switch-role links (sign in to %s, account %s, as your IAM user with MFA first):\n\n", identity.Name, identity.ID)
	w := newTable(a.stdout)
	for _, l := range console.Links(a.m, in.prefix) {
		w.Row(l.DisplayName, string(l.Account.Environment), l.URL)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nAWS Extend Switch Roles configuration (extension > Configure, paste, Save):\n\n%s", console.ExtensionConfig(a.m, in.prefix))
	return nil
}
