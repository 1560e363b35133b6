package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/console"
	"github.com/curfew/curfew/internal/table"
)

func newConsoleCommand(a *app) *cobra.Command {
	var r listReader
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Print console switch-role links and the AWS Extend Switch Roles configuration",
		Long: `Print, for every target account, the AWS console link that switches to DeveloperAccess
(production in red), and the configuration text for the "AWS Extend Switch Roles" browser
extension. Sign in to the identity account as your IAM user first, with MFA.
With access: identity-center, print the access portal's link to every account and
permission set instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConsole(cmd.Context(), a, r, asJSON)
		},
	}
	addListReaderFlags(cmd, &r)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the links (and the extension's configuration) as JSON")
	return cmd
}

func runConsole(ctx context.Context, a *app, r listReader, asJSON bool) error {
	if a.m.UsesIdentityCenter() && asJSON {
		return console.WriteJSON(a.stdout, a.m, a.prefix)
	}
	if a.m.UsesIdentityCenter() {
		return runPortalConsole(a)
	}
	m, err := a.withFound(ctx, r.orIdentity(a))
	if err != nil {
		return err
	}
	if asJSON {
		return console.WriteJSON(a.stdout, m, a.prefix)
	}
	identity := a.m.IdentityAccount()
	fmt.Fprintf(a.stdout, "Switch-role links (sign in to %s, account %s, as your IAM user with MFA first):\n\n", identity.Name, identity.ID)
	w := table.New(a.stdout)
	for _, l := range console.Links(m, a.prefix) {
		w.Row(l.DisplayName, string(l.Account.Environment), l.URL)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nAWS Extend Switch Roles configuration (extension > Configure, paste, Save):\n\n%s", console.ExtensionConfig(m, a.prefix))
	return nil
}

// runPortalConsole prints the access portal's console links of access: identity-center.
func runPortalConsole(a *app) error {
	fmt.Fprintf(a.stdout, "Access portal links (the portal at %s signs you in first):\n\n", a.m.IdentityCenter.StartURL)
	w := table.New(a.stdout)
	for _, l := range console.PortalLinks(a.m) {
		w.Row(a.prefix+l.Account.Name, string(l.Account.Environment), l.Role, l.URL)
	}
	return w.Flush()
}
