package main

func Example_consoleIdentityCenter() {
	example("--map", "testdata/accounts-identity-center.yaml", "console")
	// Output:
	// Access portal links (the portal at https://acme.awsapps.com/start signs you in first):
	//
	// staging     non-production  DeveloperAccess-non-production  https://acme.awsapps.com/start/#/console?account_id=222222222222&role_name=DeveloperAccess-non-production
	// sandbox     non-production  DeveloperAccess-non-production  https://acme.awsapps.com/start/#/console?account_id=333333333333&role_name=DeveloperAccess-non-production
	// production  production      DeveloperAccess-production      https://acme.awsapps.com/start/#/console?account_id=444444444444&role_name=DeveloperAccess-production
	// identity    production      CurfewOperator                  https://acme.awsapps.com/start/#/console?account_id=111111111111&role_name=CurfewOperator
}

func Example_profilesIdentityCenterWithUser() {
	example("--map", "testdata/accounts-identity-center.yaml", "profiles", "--user", "alice", "--config-file", "testdata/user-config")
	// Output:
	// curfew: invalid input: --user: with access: identity-center you sign in through the access portal (aws sso login), which knows who you are and asks for MFA itself; drop it
	//   next: fix the flags above; curfew profiles --help lists them
}

// With access: identity-center, console --json lists the access portal's links.
func Example_consoleIdentityCenterJSON() {
	example("--map", "testdata/accounts-identity-center.yaml", "console", "--json")
	// Output:
	// {
	//   "signIn": "https://acme.awsapps.com/start",
	//   "links": [
	//     {
	//       "name": "staging",
	//       "accountId": "222222222222",
	//       "environment": "non-production",
	//       "role": "DeveloperAccess-non-production",
	//       "url": "https://acme.awsapps.com/start/#/console?account_id=222222222222&role_name=DeveloperAccess-non-production"
	//     },
	//     {
	//       "name": "sandbox",
	//       "accountId": "333333333333",
	//       "environment": "non-production",
	//       "role": "DeveloperAccess-non-production",
	//       "url": "https://acme.awsapps.com/start/#/console?account_id=333333333333&role_name=DeveloperAccess-non-production"
	//     },
	//     {
	//       "name": "production",
	//       "accountId": "444444444444",
	//       "environment": "production",
	//       "role": "DeveloperAccess-production",
	//       "url": "https://acme.awsapps.com/start/#/console?account_id=444444444444&role_name=DeveloperAccess-production"
	//     },
	//     {
	//       "name": "identity",
	//       "accountId": "111111111111",
	//       "environment": "production",
	//       "role": "CurfewOperator",
	//       "url": "https://acme.awsapps.com/start/#/console?account_id=111111111111&role_name=CurfewOperator"
	//     }
	//   ]
	// }
}
