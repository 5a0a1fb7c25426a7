"""PyTorch cases for the single-step recurrent cells (tests/parity/cases/recurrent-cells.json):
nn.RNNCell (tanh, relu), nn.LSTMCell and nn.GRUCell, batched and unbatched (1-D) input, with and
without the state given, with and without bias. Each cell keeps PyTorch's own initialization
(torch.manual_seed, float32 parameters, as a user's model would be saved); inputs are drawn in
float32; PyTorch then computes in float64 the output(s) and the gradients of the input, the state
(h, and c for the LSTM) and every parameter for the sum of all outputs. tests/nn/recurrent-cells.test.ts
loads each state_dict with loadStateDict and compares.

Run from the repository root with PyTorch 1.13: /usr/bin/python3 scripts/torch-parity/recurrent_cells.py
"""
import torch
from common import enc, write

nn = torch.nn

# name, cell, options (PyTorch keyword, edgegrad option), batch (None: unbatched), state given
CASES = [
    ("RNNCell/tanh-batched-hx", "RNNCell", {}, 3, True),
    ("RNNCell/relu-batched-hx", "RNNCell", {"nonlinearity": "relu"}, 3, True),
    ("RNNCell/tanh-unbatched", "RNNCell", {}, None, False),
    ("RNNCell/relu-nobias-unbatched-hx", "RNNCell", {"nonlinearity": "relu", "bias": False}, None, True),
    ("LSTMCell/batched-hx", "LSTMCell", {}, 3, True),
    ("LSTMCell/unbatched-hx", "LSTMCell", {}, None, True),
    ("LSTMCell/nobias-batched", "LSTMCell", {"bias": False}, 2, False),
    ("GRUCell/batched-hx", "GRUCell", {}, 3, True),
    ("GRUCell/nobias-unbatched-hx", "GRUCell", {"bias": False}, None, True),
    ("GRUCell/batched", "GRUCell", {}, 2, False),
]
I, H = 4, 5   # H = 5: one full 4-lane vector and a ragged tail in the cell kernels


def cell_case(k, cid, name, opts, batch, with_state):
    torch.manual_seed(100 + k)
    cell = getattr(nn, name)(I, H, dtype=torch.float32, **opts)
    lead = () if batch is None else (batch,)
    x = torch.randn(*lead, I, dtype=torch.float32).double()
    h = (0.5 * torch.randn(*lead, H, dtype=torch.float32)).float().double()
    c = (0.5 * torch.randn(*lead, H, dtype=torch.float32)).float().double()
    state_dict = {key: enc(v) for key, v in cell.state_dict().items()}
    cell = cell.double()
    lstm = name == "LSTMCell"
    xi, hi, ci = (t.clone().requires_grad_(True) for t in (x, h, c))
    state = ((hi, ci) if lstm else hi) if with_state else None
    out = cell(xi, state)
    outs = list(out) if lstm else [out]
    sum(o.sum() for o in outs).backward()
    case = {"id": cid, "cell": name, "args": [I, H, opts], "withState": with_state,
            "state": state_dict, "input": enc(x), "h": enc(h), "c": enc(c),
            "outputs": [enc(o) for o in outs], "inputGrad": enc(xi.grad),
            "paramGrads": {key: enc(p.grad) for key, p in cell.named_parameters()}}
    if with_state:
        case["hGrad"] = enc(hi.grad)
        if lstm:
            case["cGrad"] = enc(ci.grad)
    return case


def main():
    cases = [cell_case(k, *c) for k, c in enumerate(CASES)]
    write("tests/parity/cases/recurrent-cells.json", cases)


if __name__ == "__main__":
    main()
