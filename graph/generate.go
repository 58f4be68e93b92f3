// Package graph is the GraphQL edge of fundhub: the gqlgen schema's
// resolvers, the per-request dataloaders, the error presenter that maps
// domain error codes to extensions.code, and the HTTP transport.
//
// Resolvers parse arguments, call a service with the caller's scope and map
// errors; they hold no business logic.
package graph

//go:generate sh -c "cd .. && go tool gqlgen generate"
