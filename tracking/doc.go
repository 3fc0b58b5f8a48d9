// Package tracking provides the AWS connection-tracking semantics sgcheck is
// built on: classification of every admitted flow per attachment, idle-timeout
// windows, change impact (revoked flow space and what survives it), and a
// packet-level simulator that replays witnesses to prove each claim.
//
// Every AWS fact used here names its section in docs/aws-semantics.md.
package tracking
