#!/bin/sh
# The example client's entry point: classifies the bundled image with the
# bundled model through the agent the pod's environment names, once every
# VACCEL_EXAMPLE_INTERVAL seconds (default 60), so that the pod keeps
# running and its log shows each result.
set -u
d=/usr/local/share/vaccel
while :; do
	torch_inference "$d/example.jpg" "$d/resnet18.pt" "$d/imagenet.txt" 1 ||
		echo "vaccel-example: torch_inference failed (exit $?)" >&2
	sleep "${VACCEL_EXAMPLE_INTERVAL:-60}"
done
