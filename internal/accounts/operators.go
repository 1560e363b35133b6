package accounts

// OperatorRole is the role in the home account that the identity account's operators
// group assumes to invoke curfew's functions (curfew plan, stop, start, uninstall). Its
// name is fixed so that the identity account's group policy and the CLI's operator
// profile can build its ARN, and it starts with "curfew-" so that the home account's
// guardrails, which keep every role/curfew-* as deployed, protect it from DeveloperAccess
// and CurfewCI there.
const OperatorRole = "curfew-operator"
