"""An exported model's structure as python3-onnx sees it: the checker (full), strict shape
inference, DequantizeLinear's per-axis rule, and a summary the ONNX export tests compare: the
graph's input and output shapes as inferred, how many nodes of each operator type, the element
types of the initializers, and every DequantizeLinear weight's code range.
usage: python3 onnx_structure.py MODEL.onnx   (exit 3 when python3-onnx is absent)"""
import collections
import sys

try:
    import onnx
    from onnx import numpy_helper
except ImportError:
    print("python3-onnx is not installed (make deps installs it)")
    sys.exit(3)

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def shape(v):
    return "x".join(d.dim_param or str(d.dim_value) for d in v.type.tensor_type.shape.dim)


print("opset", model.opset_import[0].version)
print("input", shape(inferred.graph.input[0]), "output", shape(inferred.graph.output[0]))
ops = collections.Counter(n.op_type for n in model.graph.node)
print("ops", " ".join(f"{op}={ops[op]}" for op in sorted(ops)))
types = collections.Counter(onnx.TensorProto.DataType.Name(t.data_type) for t in model.graph.initializer)
print("initializers", " ".join(f"{t}={types[t]}" for t in sorted(types)))
inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
for n in model.graph.node:
    if n.op_type == "DequantizeLinear" and n.input[0] in inits:
        codes, step = inits[n.input[0]], inits[n.input[1]]
        assert (step > 0).all(), f"{n.input[1]}: a step that is not positive"
        # The operator's own rule, which the checker leaves to the runtime: a per-axis step has
        # one value per slice along `axis` (default 1).
        axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
        assert step.size == 1 or step.size == codes.shape[axis], \
            f"{n.output[0]}: {step.size} steps for axis {axis} of {codes.shape}"
        print("weight", n.input[0], "codes", int(codes.min()), int(codes.max()), "channels", step.size)
