# The first recipe of `edgegrad train --model charlm` (4×128, context 128, batch 16, OneCycle to
# 3e-3, AdamW weight decay 0.1: `--layers 4 --context 128 --batch-size 16 --lr 3e-3 --weight-decay
# 0.1 --schedule onecycle`) in PyTorch
# 1.13, one thread: `python3 scripts/charlm-torch.py STEPS` prints the loss every 10 steps and the
# validation loss on the last 10% of the fortunes, to compare with the CLI run of the same length.
import glob, math, os, sys, time, torch, torch.nn as nn
torch.set_num_threads(1); torch.manual_seed(1)
N = int(sys.argv[1]); B, T, D, L, H = 16, 128, 128, 4, 4
d = "/usr/share/games/fortunes"
names = sorted(n for n in os.listdir(d) if "." not in n and n != "off")
texts = []
seen = set()
for n in names:
    p = os.path.realpath(os.path.join(d, n))
    if p in seen or not os.path.isfile(p): continue
    seen.add(p)
    raw = open(p, "rb").read()
    try: s = raw.decode("utf-8")
    except UnicodeDecodeError: continue
    if "\0" in s: continue
    cur = []
    for line in s.replace("\r\n", "\n").split("\n"):
        if line == "%":
            f = "\n".join(cur)
            if f.strip(): texts.append(f)
            cur = []
        else: cur.append(line)
    if cur and cur[-1] == "": cur.pop()
    f = "\n".join(cur)
    if f.strip(): texts.append(f)
text = "\n%\n".join(texts) + "\n"
chars = sorted(set(text)); V = len(chars); idx = {c: i for i, c in enumerate(chars)}
ids = torch.tensor([idx[c] for c in text], dtype=torch.long)
cut = round(len(ids) * 0.9); train, val = ids[:cut], ids[cut:]
print(f"{len(text)} chars, vocab {V}, train {len(train)} val {len(val)}")
class LM(nn.Module):
    def __init__(s):
        super().__init__()
        s.embedding = nn.Embedding(V, D); s.positions = nn.Embedding(T, D)
        layer = nn.TransformerEncoderLayer(D, H, 4 * D, 0.0, "gelu", batch_first=True, norm_first=True)
        s.encoder = nn.TransformerEncoder(layer, L, enable_nested_tensor=False)
        s.norm = nn.LayerNorm(D); s.head = nn.Linear(D, V, bias=False)
        for name, p in s.named_parameters():
            if p.dim() == 1:
                if not (name.endswith("norm.weight") or name.endswith("norm1.weight") or name.endswith("norm2.weight")): nn.init.zeros_(p)
            else:
                std = 0.02 / math.sqrt(2 * L) if name.endswith("out_proj.weight") or name.endswith("linear2.weight") else 0.02
                nn.init.normal_(p, 0, std)
        s.register_buffer("mask", torch.triu(torch.full((T, T), float("-inf")), 1))
    def forward(s, x):
        h = s.embedding(x) + s.positions(torch.arange(x.shape[1]))
        return s.head(s.norm(s.encoder(h, mask=s.mask[:x.shape[1], :x.shape[1]])))
m = LM()
opt = torch.optim.AdamW(m.parameters(), lr=3e-3, weight_decay=0.1)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=N, pct_start=0.1)
g = torch.Generator().manual_seed(1)
t0 = time.process_time()
for step in range(1, N + 1):
    starts = torch.randint(0, len(train) - T - 1, (B,), generator=g)
    x = torch.stack([train[s:s + T] for s in starts]); y = torch.stack([train[s + 1:s + T + 1] for s in starts])
    loss = nn.functional.cross_entropy(m(x).reshape(-1, V), y.reshape(-1))
    opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step(); sched.step()
    if step % 10 == 0: print(f"step {step} loss {loss.item():.4f} cpu {time.process_time() - t0:.1f}s", flush=True)
t_train = time.process_time() - t0
m.eval()
with torch.no_grad():
    n = (len(val) - 1) // T; tot = 0.0; cnt = 0
    for b in range(0, n, 64):
        xs = torch.stack([val[i * T:i * T + T] for i in range(b, min(n, b + 64))]); ys = torch.stack([val[i * T + 1:i * T + T + 1] for i in range(b, min(n, b + 64))])
        tot += nn.functional.cross_entropy(m(xs).reshape(-1, V), ys.reshape(-1), reduction="sum").item(); cnt += ys.numel()
print(f"validation {tot / cnt:.4f} nats/char over {cnt} chars; training CPU {t_train:.1f}s for {N} steps ({N * B * T / t_train:.0f} tokens per CPU second)")
