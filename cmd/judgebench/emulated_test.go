package main

import "github.com/judgebench/judgebench/host"

// emulated says why timing precision cannot be judged on this machine (an
// emulated CPU, as in the VM of .ci/cgroup2), or "" when it can.
var emulated = host.Emulated
