package main

import "context"

// The commands below are replaced by their own files as they land.

func cmdValidate(ctx context.Context, args []string, e env) int { return exitUsage }
func cmdRun(ctx context.Context, args []string, e env) int      { return exitUsage }
func cmdVerify(ctx context.Context, args []string, e env) int   { return exitUsage }
