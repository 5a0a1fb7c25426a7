"""Writes PyTorch CNN state_dicts as safetensors, with eval-mode outputs, for tests/io/torch-cnn.test.ts.

Run from the repository root with PyTorch 1.13: python3 scripts/torch-parity/cnn_state_dict.py
The safetensors files are written by hand (u64 little-endian header length, JSON header, raw
little-endian bytes), so the `safetensors` package is not needed. The networks are the CNN of the
convolution docs at a reduced size (12×12 inputs, 4 and 8 channels) so the fixtures stay small,
plus a variant with BatchNorm2d after each convolution; a few training steps move the weights
and the running statistics (num_batches_tracked is saved as int64, as PyTorch does).
"""
import json
import struct
import torch
from torch import nn

OUT = "tests/io/fixtures"
DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


def save_safetensors(path, state):
    header, chunks, offset = {}, [], 0
    for name, t in state.items():
        t = t.detach().contiguous()
        code, _ = DTYPES[t.dtype]
        raw = t.numpy().astype(DTYPES[t.dtype][1]).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def cnn(batch_norm, c1=4, c2=8, side=12, hidden=16):
    def block(cin, cout):
        layers = [nn.Conv2d(cin, cout, 3, padding=1)]
        if batch_norm:
            layers.append(nn.BatchNorm2d(cout))
        return layers + [nn.ReLU(), nn.MaxPool2d(2)]
    flat = c2 * (side // 4) ** 2
    head = [nn.Linear(flat, hidden), nn.ReLU(), nn.Linear(hidden, 10)] if hidden else [nn.Linear(flat, 10)]
    return nn.Sequential(*block(1, c1), *block(c1, c2), nn.Flatten(), *head)


# name: (BatchNorm, conv channels, input side, hidden width). "torch-cnn-full" has the issue's
# convolution layers at their real sizes on 28×28 inputs; its Linear(3136, 128) → Linear(128, 10)
# head is one Linear(3136, 10) so the fixture stays small.
MODELS = {
    "torch-cnn": (False, 4, 8, 12, 16),
    "torch-cnn-bn": (True, 4, 8, 12, 16),
    "torch-cnn-full": (False, 32, 64, 28, 0),
}


def main():
    torch.manual_seed(13)
    cases = {}
    for name, (batch_norm, c1, c2, side, hidden) in MODELS.items():
        x = torch.randn(5 if side == 12 else 2, 1, side, side)
        model = cnn(batch_norm, c1, c2, side, hidden)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        for _ in range(3):
            xb, yb = torch.randn(16, 1, side, side) * 1.5 + 0.3, torch.randint(0, 10, (16,))
            loss = nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        save_safetensors(f"{OUT}/{name}.safetensors", model.state_dict())
        with torch.no_grad():
            y32 = model(x)
            y64 = model.double()(x.double())
        cases[name] = {
            "input": {"shape": list(x.shape), "data": x.reshape(-1).tolist()},
            "keys": list(model.state_dict().keys()),
            "output_f32": y32.reshape(-1).tolist(),
            "output_f64": y64.reshape(-1).tolist(),
        }
    with open(f"{OUT}/torch-cnn.json", "w") as f:
        json.dump(cases, f, indent=0)


if __name__ == "__main__":
    main()
