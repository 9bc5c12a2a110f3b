// SPDX-License-Identifier: Apache-2.0

// Command vaccel-device-plugin advertises the node's vaccel-agent to the
// kubelet as the extended resource vaccel.dev/agent, with --slots slots,
// each a tenant of the agent with its own token. See docs/kubernetes.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"vaccel.dev/device-plugin/plugin"
)

func main() {
	var cfg plugin.Config
	flag.StringVar(&cfg.ResourceName, "resource-name", "vaccel.dev/agent", "the extended resource to advertise")
	flag.IntVar(&cfg.Slots, "slots", 16, "slots (tenants of the agent) on this node")
	flag.StringVar(&cfg.PluginDir, "device-plugin-dir", "/var/lib/kubelet/device-plugins", "the kubelet's device-plugins folder (kubelet.sock)")
	flag.StringVar(&cfg.Endpoint, "endpoint", "vaccel-agent.sock", "this plugin's socket file name in -device-plugin-dir")
	flag.StringVar(&cfg.AgentSocket, "agent-socket", "/var/run/vaccel/vaccel.sock", "the agent's UNIX socket (host path)")
	flag.StringVar(&cfg.TenantsDir, "tenants-dir", "/var/lib/vaccel/tenants", "the agent's --tenants folder (host path)")
	flag.StringVar(&cfg.PodTokensDir, "pod-tokens-dir", "/var/lib/vaccel/pod-tokens", "folder of the token files mounted into pods (host path)")
	flag.IntVar(&cfg.AgentOwner.UID, "agent-uid", -1, "give the tenants files to this user (the agent's; -1: the plugin's own)")
	flag.IntVar(&cfg.AgentOwner.GID, "agent-gid", -1, "give the tenants files to this group (-1: the plugin's own)")
	flag.StringVar(&cfg.ContainerSocketDir, "container-socket-dir", "/var/run/vaccel", "where a pod sees the agent's socket folder")
	flag.StringVar(&cfg.ContainerTokenPath, "container-token", "/var/run/secrets/vaccel.dev/token", "where a pod sees its slot's token file")
	flag.StringVar(&cfg.PodAddress, "pod-address", "", "the agent's address for pods that cannot use its socket folder, e.g. vsock://2:2048 for Kata Containers (then the folder is not mounted)")
	flag.DurationVar(&cfg.PollInterval, "poll-interval", 2*time.Second, "how often to check the agent and the kubelet's socket")
	flag.DurationVar(&cfg.ProbeTimeout, "probe-timeout", 5*time.Second, "how long the agent has to answer a HELLO")
	flag.DurationVar(&cfg.AllocateTimeout, "allocate-timeout", 10*time.Second, "how long Allocate waits for the agent to accept a slot's new token")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [flags]\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	p, err := plugin.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := p.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
