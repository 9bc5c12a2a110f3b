// SPDX-License-Identifier: Apache-2.0

package vaccel

import (
	"strconv"
	"strings"
)

// PluginType is a set of plugin type bits (VACCEL_PLUGIN_*). As session
// flags it is a hint (see NewSession): PluginTorch prefers the first loaded
// torch plugin, PluginRemote asks for the transport plugin (which forwards
// the other bits to its agent).
type PluginType uint32

// Plugin type bits; the values are C's.
const (
	PluginCPU        PluginType = 0x1
	PluginGPU        PluginType = 0x2
	PluginFPGA       PluginType = 0x4
	PluginSoftware   PluginType = 0x8
	PluginTensorflow PluginType = 0x10
	PluginTorch      PluginType = 0x20
	PluginJetson     PluginType = 0x40
	PluginGeneric    PluginType = 0x80
	PluginDebug      PluginType = 0x100
	PluginRemote     PluginType = 0x4000
	PluginAll        PluginType = 0xffff
)

var pluginTypeNames = []struct {
	bit  PluginType
	name string
}{
	{PluginCPU, "CPU"}, {PluginGPU, "GPU"}, {PluginFPGA, "FPGA"},
	{PluginSoftware, "SOFTWARE"}, {PluginTensorflow, "TENSORFLOW"},
	{PluginTorch, "TORCH"}, {PluginJetson, "JETSON"},
	{PluginGeneric, "GENERIC"}, {PluginDebug, "DEBUG"},
	{PluginRemote, "REMOTE"},
}

// String returns the set bits joined with "|" ("TORCH|REMOTE"), or "NONE".
func (t PluginType) String() string {
	if t == 0 {
		return "NONE"
	}
	var parts []string
	for _, p := range pluginTypeNames {
		if t&p.bit != 0 {
			parts = append(parts, p.name)
			t &^= p.bit
		}
	}
	if t != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(t), 16))
	}
	return strings.Join(parts, "|")
}

// ResourceType is what a resource holds (VACCEL_RESOURCE_*).
type ResourceType int

// Resource types; the values are C's.
const (
	ResourceLib   ResourceType = 0 // a shared library for ExecWithResource
	ResourceData  ResourceType = 1 // data files
	ResourceModel ResourceType = 2 // a model (TorchScript, ...) for the model and image ops
)

// String returns the C name ("VACCEL_RESOURCE_MODEL").
func (t ResourceType) String() string { return cResourceTypeString(t) }

// OpType is an operation number (VACCEL_OP_*), as Genop's first argument
// carries it (see Op).
type OpType int

// Operation types; the values are C's.
const (
	OpNoop              OpType = 0
	OpExec              OpType = 1
	OpExecWithResource  OpType = 2
	OpImageClassify     OpType = 3
	OpImageDetect       OpType = 4
	OpImageSegment      OpType = 5
	OpImagePose         OpType = 6
	OpImageDepth        OpType = 7
	OpTFModelLoad       OpType = 8
	OpTFModelUnload     OpType = 9
	OpTFModelRun        OpType = 10
	OpTFLiteModelLoad   OpType = 11
	OpTFLiteModelUnload OpType = 12
	OpTFLiteModelRun    OpType = 13
	OpTorchModelLoad    OpType = 14
	OpTorchModelRun     OpType = 15
	OpTorchSgemm        OpType = 16
	OpBlasSgemm         OpType = 17
	OpFPGAArrayCopy     OpType = 18
	OpFPGAMMult         OpType = 19
	OpFPGAParallel      OpType = 20
	OpFPGAVectorAdd     OpType = 21
	OpMinMax            OpType = 22
	OpOpenCV            OpType = 23
)

// String returns the C name ("VACCEL_OP_NOOP").
func (t OpType) String() string { return cOpTypeString(t) }

// imageOpName is the Session method that runs the image op t.
func (t OpType) imageOpName() string {
	switch t {
	case OpImageClassify:
		return "ImageClassification"
	case OpImageDetect:
		return "ImageDetection"
	case OpImageSegment:
		return "ImageSegmentation"
	case OpImagePose:
		return "ImagePose"
	case OpImageDepth:
		return "ImageDepth"
	}
	return t.String()
}

// ArgType is the type of an argument (VACCEL_ARG_*).
type ArgType int

// Argument types; the values are C's.
const (
	ArgRaw          ArgType = 0
	ArgInt8         ArgType = 1
	ArgInt8Array    ArgType = 2
	ArgInt16        ArgType = 3
	ArgInt16Array   ArgType = 4
	ArgInt32        ArgType = 5
	ArgInt32Array   ArgType = 6
	ArgInt64        ArgType = 7
	ArgInt64Array   ArgType = 8
	ArgUint8        ArgType = 9
	ArgUint8Array   ArgType = 10
	ArgUint16       ArgType = 11
	ArgUint16Array  ArgType = 12
	ArgUint32       ArgType = 13
	ArgUint32Array  ArgType = 14
	ArgUint64       ArgType = 15
	ArgUint64Array  ArgType = 16
	ArgFloat32      ArgType = 17
	ArgFloat32Array ArgType = 18
	ArgFloat64      ArgType = 19
	ArgFloat64Array ArgType = 20
	ArgBool         ArgType = 21
	ArgBoolArray    ArgType = 22
	ArgChar         ArgType = 23
	ArgCharArray    ArgType = 24
	ArgUchar        ArgType = 25
	ArgUcharArray   ArgType = 26
	ArgString       ArgType = 27
	ArgBuffer       ArgType = 28
	ArgCustom       ArgType = 29
)

// String returns the C name ("VACCEL_ARG_INT32").
func (t ArgType) String() string { return cArgTypeString(t) }

// TorchDataType is the element type of a torch tensor
// (enum vaccel_torch_data_type).
type TorchDataType int

// Torch element types; the values are C's.
const (
	TorchByte   TorchDataType = 1  // uint8
	TorchChar   TorchDataType = 2  // int8
	TorchShort  TorchDataType = 3  // int16
	TorchInt    TorchDataType = 4  // int32
	TorchLong   TorchDataType = 5  // int64
	TorchHalf   TorchDataType = 6  // float16 (no Go type: use NewTorchTensorBytes)
	TorchFloat  TorchDataType = 7  // float32
	TorchDouble TorchDataType = 8  // float64
	TorchBool   TorchDataType = 12 // bool
)

var torchTypeNames = map[TorchDataType]string{
	TorchByte: "BYTE", TorchChar: "CHAR", TorchShort: "SHORT", TorchInt: "INT",
	TorchLong: "LONG", TorchHalf: "HALF", TorchFloat: "FLOAT",
	TorchDouble: "DOUBLE", TorchBool: "BOOL",
}

// String returns the C name ("VACCEL_TORCH_FLOAT").
func (t TorchDataType) String() string {
	if n, ok := torchTypeNames[t]; ok {
		return "VACCEL_TORCH_" + n
	}
	return "UNKNOWN"
}

// Size returns the size in bytes of one element, or 0 for an unknown type.
func (t TorchDataType) Size() int { return cTorchTypeSize(t) }

// LogLevel is a libvaccel log level (VACCEL_LOG_*).
type LogLevel int

// Log levels; the values are C's.
const (
	LogError LogLevel = 1
	LogWarn  LogLevel = 2
	LogInfo  LogLevel = 3
	LogDebug LogLevel = 4
	LogTrace LogLevel = 5
)
