#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
//
// Validates Kubernetes objects offline.
//
//   node validate.mjs [--policy] FILE...      (YAML streams; "-" reads stdin)
//
// Every object is checked against the Kubernetes OpenAPI schema of its
// apiVersion and kind, as the npm package kubernetes-models compiles it,
// and strictly: a field the schema does not define is an error, as the API
// server's strict field validation makes it. The schemas do not forbid
// unknown fields themselves, so the validator is run on a proxy of the
// object that records every field the validator reads; a field it never
// read is unknown to the schema.
//
// --policy adds this project's deployment rules (STYLE.md, "Deployment
// files"): the app.kubernetes.io labels, requests and limits, non-root
// containers with read-only root filesystems (root only with a short list
// of capabilities), agent probes that ask the agent itself, mounts that
// name volumes. Prints one line per problem; exits 1 when there is one.
import fs from "node:fs";
import yaml from "js-yaml";

const args = process.argv.slice(2);
const policy = args[0] === "--policy";
const files = policy ? args.slice(1) : args;
if (files.length === 0) {
	console.error("usage: validate.mjs [--policy] FILE...");
	process.exit(2);
}

const problems = [];

// kubernetes-models lays models out as <group>/<version>/<Kind>, the core
// group as <version>/<Kind>.
async function loadModel(apiVersion, kind) {
	if (typeof apiVersion !== "string" || typeof kind !== "string" ||
	    !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind))
		return null;
	try {
		const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
		return mod[kind] ?? null;
	} catch {
		return null;
	}
}

// Wraps value so that every property read through it is recorded in seen
// as "<path>/<key>".
function track(value, path, seen) {
	if (value === null || typeof value !== "object")
		return value;
	return new Proxy(value, {
		get(target, key, receiver) {
			const got = Reflect.get(target, key, receiver);
			if (typeof key !== "string")
				return got;
			seen.add(`${path}/${key}`);
			return track(got, `${path}/${key}`, seen);
		},
	});
}

function unknownFields(value, path, seen, out) {
	if (value === null || typeof value !== "object")
		return;
	for (const key of Object.keys(value)) {
		const p = `${path}/${key}`;
		if (!Array.isArray(value) && !seen.has(p))
			out.push(p);
		else
			unknownFields(value[key], p, seen, out);
	}
}

async function validateSchema(obj, where) {
	const Model = await loadModel(obj.apiVersion, obj.kind);
	if (!Model) {
		problems.push(`${where}: no schema for apiVersion ${obj.apiVersion}, kind ${obj.kind}`);
		return;
	}
	const model = new Model(obj);
	const seen = new Set();
	try {
		model.validate.call(track(model, "", seen));
	} catch (e) {
		for (const line of String(e.message).split("\n"))
			problems.push(`${where}: ${line.replace(/^data/, "")}`);
		return;
	}
	const unknown = [];
	unknownFields(obj, "", seen, unknown);
	for (const p of unknown)
		problems.push(`${where}: ${p}: unknown field`);
}

// --- deployment rules -------------------------------------------------

const requiredLabels = ["app.kubernetes.io/name", "app.kubernetes.io/part-of",
	"app.kubernetes.io/managed-by", "app.kubernetes.io/version"];
const podLabels = ["app.kubernetes.io/name", "app.kubernetes.io/instance",
	"app.kubernetes.io/component"];
// What a root container may add: create files for another user, and reach
// root-owned sockets and folders (device plugins, host folder set-up).
const rootCapabilities = new Set(["CHOWN", "DAC_OVERRIDE", "FOWNER"]);

function podSpecOf(obj) {
	switch (obj.kind) {
	case "Pod":
		return [obj.spec, obj.metadata];
	case "Deployment": case "DaemonSet": case "StatefulSet": case "ReplicaSet": case "Job":
		return [obj.spec?.template?.spec, obj.spec?.template?.metadata];
	case "CronJob":
		return [obj.spec?.jobTemplate?.spec?.template?.spec,
			obj.spec?.jobTemplate?.spec?.template?.metadata];
	}
	return [null, null];
}

function isAgent(c) {
	return /(^|\/)vaccel-agent(:|@|$)/.test(c.image ?? "") && !c.command;
}

function agentAddresses(c) {
	return (c.args ?? []).filter((a) => a.startsWith("--address=")).map((a) => a.slice(10));
}

function checkProbe(c, name, where) {
	const p = c[name];
	const cmd = p?.exec?.command;
	if (!cmd || cmd[0] !== "vaccel-agent" || cmd[1] !== "--probe" || cmd.length !== 3) {
		problems.push(`${where}: ${name} must run ["vaccel-agent", "--probe", ADDRESS]`);
		return;
	}
	if (!agentAddresses(c).includes(cmd[2]) &&
	    !agentAddresses(c).some((a) => a.replace("0.0.0.0", "127.0.0.1") === cmd[2]))
		problems.push(`${where}: ${name} asks ${cmd[2]}, which the agent does not listen on`);
}

function checkContainer(c, pod, volumes, where) {
	const r = c.resources ?? {};
	for (const k of ["requests", "limits"])
		for (const q of ["cpu", "memory"])
			if (r[k]?.[q] === undefined)
				problems.push(`${where}: resources.${k}.${q} missing`);
	const sc = c.securityContext ?? {};
	if (sc.allowPrivilegeEscalation !== false)
		problems.push(`${where}: securityContext.allowPrivilegeEscalation must be false`);
	if (sc.readOnlyRootFilesystem !== true)
		problems.push(`${where}: securityContext.readOnlyRootFilesystem must be true`);
	if (!(sc.capabilities?.drop ?? []).includes("ALL"))
		problems.push(`${where}: securityContext.capabilities.drop must include ALL`);
	if (sc.privileged)
		problems.push(`${where}: privileged`);
	const nonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
	const user = sc.runAsUser ?? pod.securityContext?.runAsUser;
	const added = sc.capabilities?.add ?? [];
	if (nonRoot !== true) {
		if (user !== 0)
			problems.push(`${where}: must run as non-root (runAsNonRoot), or say runAsUser: 0`);
		for (const cap of added)
			if (!rootCapabilities.has(cap))
				problems.push(`${where}: capability ${cap} beyond ${[...rootCapabilities].join(", ")}`);
	} else if (added.length) {
		problems.push(`${where}: a non-root container adds capabilities`);
	}
	if (!c.imagePullPolicy)
		problems.push(`${where}: imagePullPolicy missing`);
	if (/:latest$/.test(c.image ?? "") || !/:[^/]+$/.test(c.image ?? ""))
		problems.push(`${where}: image ${c.image} has no fixed tag`);
	for (const m of c.volumeMounts ?? [])
		if (!volumes.has(m.name))
			problems.push(`${where}: mounts volume ${m.name}, which the pod does not define`);
	const gpu = Object.keys(r.limits ?? {}).some((k) => k.endsWith("/gpu"));
	if (isAgent(c)) {
		checkProbe(c, "startupProbe", where);
		checkProbe(c, "livenessProbe", where);
		if (agentAddresses(c).length === 0)
			problems.push(`${where}: the agent listens nowhere (--address=...)`);
	} else if (gpu) {
		problems.push(`${where}: only the agent asks for GPUs (applications ask for vaccel.dev/agent)`);
	}
	// A client's unix socket must be in a folder mounted into it.
	for (const e of c.env ?? []) {
		if (e.name !== "VACCEL_RPC_ADDRESS" || !e.value?.startsWith("unix:///"))
			continue;
		const dir = e.value.slice(7).replace(/\/[^/]*$/, "");
		if (!(c.volumeMounts ?? []).some((m) => m.mountPath === dir))
			problems.push(`${where}: VACCEL_RPC_ADDRESS ${e.value}: ${dir} is not mounted`);
	}
}

function checkPolicy(obj, where) {
	const labels = obj.metadata?.labels ?? {};
	for (const l of requiredLabels)
		if (!labels[l])
			problems.push(`${where}: label ${l} missing`);
	const [pod, podMeta] = podSpecOf(obj);
	if (!pod)
		return;
	for (const l of podLabels)
		if (!podMeta?.labels?.[l])
			problems.push(`${where}: pod template label ${l} missing`);
	if (pod.automountServiceAccountToken !== false)
		problems.push(`${where}: automountServiceAccountToken must be false`);
	if (pod.securityContext?.seccompProfile?.type !== "RuntimeDefault")
		problems.push(`${where}: the pod's seccompProfile must be RuntimeDefault`);
	const volumes = new Set((pod.volumes ?? []).map((v) => v.name));
	for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])])
		checkContainer(c, pod, volumes, `${where}: container ${c.name}`);
}

// --- main ---------------------------------------------------------------

let count = 0;
for (const file of files) {
	const text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
	let docs;
	try {
		docs = yaml.loadAll(text);
	} catch (e) {
		problems.push(`${file}: not YAML: ${e.message.split("\n")[0]}`);
		continue;
	}
	for (const obj of docs) {
		if (obj === null || obj === undefined)
			continue;
		if (typeof obj !== "object" || Array.isArray(obj)) {
			problems.push(`${file}: a document that is not an object`);
			continue;
		}
		const where = `${file}: ${obj.kind}/${obj.metadata?.name}`;
		count++;
		await validateSchema(obj, where);
		if (policy)
			checkPolicy(obj, where);
	}
}
for (const p of problems)
	console.log(p);
console.log(`${count} objects, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
