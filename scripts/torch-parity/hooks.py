"""Differential cases for module hooks (forward pre-hooks, forward hooks, full backward hooks) and
tensor gradient hooks (register_hook, retain_grad), for tests/parity/hooks.test.ts.

Each case names the hooks as data (a scale or a shift), so the test installs the same hooks on the
edgegrad side. Module weights, inputs and cotangents are float32 values; PyTorch computes in
float64. retain_grad is only asked of tensors without other hooks: PyTorch 1.13 orders a retained
gradient against hooks registered before retain_grad in a way later releases changed (there the
retained gradient is always the one after every hook, as edgegrad keeps it).
"""
import torch
from common import Gen, enc, write


def linear_case(cases, g, cid, batch, n_in, n_out, pre_scale, out_shift, grad_scale):
    lin = torch.nn.Linear(n_in, n_out)
    with torch.no_grad():
        lin.weight.copy_(g.randn(n_out, n_in, scale=0.5))
        lin.bias.copy_(g.randn(n_out, scale=0.5))
    x = g.randn(batch, n_in).requires_grad_(True)
    cot = g.randn(batch, n_out)
    seen = {}
    lin.register_forward_pre_hook(lambda m, inp: inp[0] * pre_scale)
    lin.register_forward_hook(lambda m, inp, out: out + out_shift)

    def backward_hook(m, grad_in, grad_out):
        seen["gradInput"], seen["gradOutput"] = grad_in[0], grad_out[0]
        return (grad_in[0] * grad_scale,)
    lin.register_full_backward_hook(backward_hook)
    y = lin(x)
    (y * cot).sum().backward()
    cases.append({
        "id": f"module/linear/{cid}", "kind": "linear",
        "hooks": {"preScale": pre_scale, "outShift": out_shift, "gradScale": grad_scale},
        "weight": enc(lin.weight), "bias": enc(lin.bias), "x": enc(x), "cotangent": enc(cot), "terms": n_in + 2,
        "output": enc(y), "gradInput": enc(seen["gradInput"]), "gradOutput": enc(seen["gradOutput"]),
        "xGrad": enc(x.grad), "weightGrad": enc(lin.weight.grad), "biasGrad": enc(lin.bias.grad),
    })


def sequential_case(cases, g):
    seq = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))
    with torch.no_grad():
        for p in seq.parameters():
            p.copy_(g.randn(*p.shape, scale=0.6))
    x = g.randn(3, 4).requires_grad_(True)
    cot = g.randn(3, 2)
    seen = {}
    # The ReLU's output doubled (a forward hook on a child), the first Linear's input gradient tripled.
    seq[1].register_forward_hook(lambda m, inp, out: out * 2)

    def backward_hook(m, grad_in, grad_out):
        seen["gradOutput"] = grad_out[0]
        return (grad_in[0] * 3,)
    seq[0].register_full_backward_hook(backward_hook)
    y = seq(x)
    (y * cot).sum().backward()
    cases.append({
        "id": "module/sequential-children", "kind": "sequential",
        "params": {n: enc(p) for n, p in seq.named_parameters()}, "x": enc(x), "cotangent": enc(cot), "terms": 12,
        "output": enc(y), "gradOutput": enc(seen["gradOutput"]), "xGrad": enc(x.grad),
        "grads": {n: enc(p.grad) for n, p in seq.named_parameters()},
    })


def tensor_case(cases, g, cid, n, k, m, hidden_scale, leaf_scale):
    x = g.randn(n, k).requires_grad_(True)
    w = g.randn(k, m, scale=0.5).requires_grad_(True)
    cot = g.randn(n, m)
    y = x @ w
    y.retain_grad()
    z = torch.tanh(y)
    z.register_hook(lambda grad: grad * hidden_scale)
    w.register_hook(lambda grad: grad * leaf_scale)
    (z * z * cot).sum().backward()
    cases.append({
        "id": f"tensor/{cid}", "kind": "tensor", "hooks": {"hiddenScale": hidden_scale, "leafScale": leaf_scale},
        "x": enc(x), "w": enc(w), "cotangent": enc(cot), "terms": k + 4,
        "yGrad": enc(y.grad), "xGrad": enc(x.grad), "wGrad": enc(w.grad),
    })


def main():
    g = Gen(2031)
    cases = []
    linear_case(cases, g, "scale-grad-input", 3, 4, 2, 1.0, 0.0, 2.0)
    linear_case(cases, g, "pre-forward-backward", 2, 5, 3, 0.5, 1.25, -1.5)
    sequential_case(cases, g)
    tensor_case(cases, g, "retain-and-scale", 3, 4, 2, 2.0, 0.5)
    tensor_case(cases, g, "retain-plain", 2, 3, 3, 1.0, 1.0)
    write("tests/parity/cases/hooks.json", cases)


if __name__ == "__main__":
    main()
