// The Go bindings of vAccel and the Go programs built on them.
//
// Standard library only: the module builds offline with
// GOFLAGS=-mod=mod GOPROXY=off. The module path is "vaccel" (the project
// publishes no module server); programs outside this tree use it with a
// replace directive, see docs/go.md.
module vaccel

go 1.19
