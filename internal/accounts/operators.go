package accounts

// OperatorRole is the role in the home account that the identity account's operators
// group assumes to invoke curfew's functions (curfew start, stop, plan, uninstall). Its
// name is fixed so that the identity account's group policy and the CLI's operator
// profile can build its ARN.
const OperatorRole = "CurfewOperator"
