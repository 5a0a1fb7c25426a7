"""PyTorch cases for Embedding (tests/parity/cases/embedding.json): lookups and table gradients
over paddingIdx, maxNorm/normType and scaleGradByFreq, dense and sparse, with the table after
the forward (maxNorm rescales it in place); and SparseAdam trajectories on a sparse Embedding.
Everything runs in float64 on tables and cotangents rounded to float32 (common.Gen)."""
import torch
from common import Gen, enc, write

nn = torch.nn
CAMEL = {"padding_idx": "paddingIdx", "max_norm": "maxNorm", "norm_type": "normType",
         "scale_grad_by_freq": "scaleGradByFreq", "sparse": "sparse"}


def lookup_case(cases, name, rows, dim, shape, g, **o):
    weight = g.randn(rows, dim)
    idx = g.randint(0, rows, *shape)
    if o.get("padding_idx") is not None:
        idx.view(-1)[::3] = o["padding_idx"] % rows  # the padding row is looked up too
    e = nn.Embedding.from_pretrained(weight.clone(), freeze=False, **o)
    out = e(idx)
    cot = g.randn(*out.shape)
    (out * cot).sum().backward()
    grad = e.weight.grad
    rows_used = None
    if grad.is_sparse:
        grad = grad.coalesce()
        rows_used = sorted(set(grad.indices()[0].tolist()))
        grad = grad.to_dense()
    # JSON has no infinity: normType ∞ travels as the string "inf".
    options = {CAMEL[k]: ("inf" if v == float("inf") else v) for k, v in o.items()}
    cases.append({"id": f"embedding/{name}", "options": options,
                  "weight": enc(weight), "input": enc(idx), "output": enc(out), "cotangent": enc(cot),
                  "weightAfter": enc(e.weight), "weightGrad": enc(grad), "rowsUsed": rows_used,
                  "terms": int(idx.numel() + 1)})


def sparse_adam_case(cases, name, rows, dim, steps, g, **o):
    weight = g.randn(rows, dim)
    e = nn.Embedding.from_pretrained(weight.clone(), freeze=False, sparse=True)
    opt = torch.optim.SparseAdam(e.parameters(), **o)
    record = []
    for _ in range(steps):
        idx = g.randint(0, rows, 5)
        out = e(idx)
        cot = g.randn(*out.shape)
        opt.zero_grad()
        (out * cot).sum().backward()
        opt.step()
        record.append({"input": enc(idx), "cotangent": enc(cot), "weight": enc(e.weight, digits=17)})
    cases.append({"id": f"SparseAdam/{name}", "options": {"betas" if k == "betas" else k: (list(v) if isinstance(v, tuple) else v) for k, v in o.items()},
                  "weight": enc(weight), "steps": record})


def main():
    cases, g = [], Gen(15)
    lookup_case(cases, "basic", 7, 3, (2, 4), g)
    lookup_case(cases, "1d-input", 5, 2, (6,), g)
    lookup_case(cases, "padding", 6, 4, (3, 3), g, padding_idx=2)
    lookup_case(cases, "padding-negative", 6, 2, (7,), g, padding_idx=-1)
    lookup_case(cases, "scale-grad-by-freq", 4, 3, (3, 5), g, scale_grad_by_freq=True)
    lookup_case(cases, "padding-scale-grad-by-freq", 4, 3, (9,), g, padding_idx=0, scale_grad_by_freq=True)
    lookup_case(cases, "max-norm", 8, 5, (2, 3), g, max_norm=1.5)
    lookup_case(cases, "max-norm-p1", 8, 3, (4,), g, max_norm=2.0, norm_type=1.0)
    lookup_case(cases, "max-norm-pinf", 8, 3, (4,), g, max_norm=0.8, norm_type=float("inf"))
    lookup_case(cases, "sparse", 9, 3, (2, 3), g, sparse=True)
    # PyTorch refuses scale_grad_by_freq with sparse gradients; edgegrad allows it (the same values
    # as dense), so that pair has no case.
    lookup_case(cases, "sparse-padding", 9, 2, (8,), g, sparse=True, padding_idx=4)
    sparse_adam_case(cases, "defaults", 10, 3, 4, g)
    sparse_adam_case(cases, "betas-eps-lr", 12, 2, 5, g, lr=0.05, betas=(0.8, 0.95), eps=1e-4)
    sparse_adam_case(cases, "maximize", 6, 2, 3, g, lr=0.01, maximize=True)
    write("tests/parity/cases/embedding.json", cases)


if __name__ == "__main__":
    main()
