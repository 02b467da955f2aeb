//go:build tools

// Package tools pins the versions of the development programs that
// scripts/install-tools builds. It lives in its own module so that the
// emulator's old dependency graph (gRPC and genproto from 2019) never enters
// the product's go.mod; the build tag keeps the blank import of a main
// package out of every real build.
package tools

import (
	_ "github.com/aertje/cloud-tasks-emulator"
)
