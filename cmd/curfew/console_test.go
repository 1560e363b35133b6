package main

func Example_console() {
	example("--map", "testdata/accounts.yaml", "console")
	// Output:
	// Switch-role links (sign in to identity, account 111111111111, as your IAM user with MFA first):
	//
	// staging     non-production  https://signin.aws.amazon.com/switchrole?account=222222222222&roleName=DeveloperAccess&displayName=staging&color=b7ca9d
	// sandbox     non-production  https://signin.aws.amazon.com/switchrole?account=333333333333&roleName=DeveloperAccess&displayName=sandbox&color=b7ca9d
	// production  production      https://signin.aws.amazon.com/switchrole?account=444444444444&roleName=DeveloperAccess&displayName=production&color=f2b0a9
	//
	// AWS Extend Switch Roles configuration (extension > Configure, paste, Save):
	//
	// [identity]
	// aws_account_id = 111111111111
	//
	// [staging]
	// source_profile = identity
	// aws_account_id = 222222222222
	// role_name = DeveloperAccess
	// region = eu-west-1
	// color = b7ca9d
	//
	// [sandbox]
	// source_profile = identity
	// aws_account_id = 333333333333
	// role_name = DeveloperAccess
	// region = eu-west-1
	// color = b7ca9d
	//
	// [production]
	// source_profile = identity
	// aws_account_id = 444444444444
	// role_name = DeveloperAccess
	// region = eu-west-1
	// color = f2b0a9
}

func Example_consoleWithPrefix() {
	example("--map", "testdata/accounts.yaml", "console", "--prefix", "acme-")
	// Output:
	// Switch-role links (sign in to identity, account 111111111111, as your IAM user with MFA first):
	//
	// acme-staging     non-production  https://signin.aws.amazon.com/switchrole?account=222222222222&roleName=DeveloperAccess&displayName=acme-staging&color=b7ca9d
	// acme-sandbox     non-production  https://signin.aws.amazon.com/switchrole?account=333333333333&roleName=DeveloperAccess&displayName=acme-sandbox&color=b7ca9d
	// acme-production  production      https://signin.aws.amazon.com/switchrole?account=444444444444&roleName=DeveloperAccess&displayName=acme-production&color=f2b0a9
	//
	// AWS Extend Switch Roles configuration (extension > Configure, paste, Save):
	//
	// [acme-identity]
	// aws_account_id = 111111111111
	//
	// [acme-staging]
	// source_profile = acme-identity
	// aws_account_id = 222222222222
	// role_name = DeveloperAccess
	// region = eu-west-1
	// color = b7ca9d
	//
	// [acme-sandbox]
	// source_profile = acme-identity
	// aws_account_id = 333333333333
	// role_name = DeveloperAccess
	// region = eu-west-1
	// color = b7ca9d
	//
	// [acme-production]
	// source_profile = acme-identity
	// aws_account_id = 444444444444
	// role_name = DeveloperAccess
	// region = eu-west-1
	// color = f2b0a9
}

// Issue 28, item 6: the links as JSON, in the schema docs/operations.md gives.
func Example_consoleJSON() {
	example("--map", "testdata/accounts.yaml", "console", "--json", "--prefix", "acme-")
	// Output:
	// {
	//   "signIn": "111111111111",
	//   "links": [
	//     {
	//       "name": "acme-staging",
	//       "accountId": "222222222222",
	//       "environment": "non-production",
	//       "role": "DeveloperAccess",
	//       "url": "https://signin.aws.amazon.com/switchrole?account=222222222222&roleName=DeveloperAccess&displayName=acme-staging&color=b7ca9d"
	//     },
	//     {
	//       "name": "acme-sandbox",
	//       "accountId": "333333333333",
	//       "environment": "non-production",
	//       "role": "DeveloperAccess",
	//       "url": "https://signin.aws.amazon.com/switchrole?account=333333333333&roleName=DeveloperAccess&displayName=acme-sandbox&color=b7ca9d"
	//     },
	//     {
	//       "name": "acme-production",
	//       "accountId": "444444444444",
	//       "environment": "production",
	//       "role": "DeveloperAccess",
	//       "url": "https://signin.aws.amazon.com/switchrole?account=444444444444&roleName=DeveloperAccess&displayName=acme-production&color=f2b0a9"
	//     }
	//   ],
	//   "extensionConfig": "[acme-identity]\naws_account_id = 111111111111\n\n[acme-staging]\nsource_profile = acme-identity\naws_account_id = 222222222222\nrole_name = DeveloperAccess\nregion = eu-west-1\ncolor = b7ca9d\n\n[acme-sandbox]\nsource_profile = acme-identity\naws_account_id = 333333333333\nrole_name = DeveloperAccess\nregion = eu-west-1\ncolor = b7ca9d\n\n[acme-production]\nsource_profile = acme-identity\naws_account_id = 444444444444\nrole_name = DeveloperAccess\nregion = eu-west-1\ncolor = f2b0a9\n"
	// }
}
