"""PyTorch 1.13's torch.optim.swa_utils.update_bn on small models, for tests/optim/swa-update-bn.test.ts.

Run from the repository root: python3 scripts/torch-parity/swa_update_bn.py (also run by
generate.py); writes tests/parity/cases/swa-update-bn.json. Each case is a model (Linear →
BatchNorm1d → ReLU → Linear, or Conv2d → BatchNorm2d → ReLU → Flatten → Linear) with random
float32-rounded weights and running statistics, a BatchNorm momentum other than the default and
a train/eval mode, a loader of uneven batches (plain tensors, or [input, target] pairs), and what
update_bn leaves: the state_dict (running statistics, num_batches_tracked), the momenta and mode
after, and the eval-mode output on a test input. The "swa" case is the SWA example of PyTorch's
docs: an AveragedModel of two snapshots, then update_bn(loader, swa_model). PyTorch computes in
float64 from the float32-rounded numbers.
"""
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, update_bn
from common import Gen, enc, write


def randomize(model, g, grid=False):
    """
    Every parameter and float buffer random (variances positive), num_batches_tracked 7. With
    grid, on multiples of 2⁻¹², so that the average of two such models is exact in float32 too
    and edgegrad's float32 AveragedModel holds PyTorch's averaged weights exactly.
    """
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                t.fill_(7)
                continue
            elif name.endswith("running_var"):
                t.copy_(g.rand(*t.shape, lo=0.5, hi=2.0))
            else:
                t.copy_(g.randn(*t.shape, scale=0.7))
            if grid:
                t.copy_(torch.round(t * 4096) / 4096)


def mlp():
    return nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6, momentum=0.3), nn.ReLU(), nn.Linear(6, 3))


def cnn():
    return nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3, momentum=0.05), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 2))


def sd_json(model):
    return {k: enc(v, digits=17) for k, v in model.state_dict().items()}


def case(cases, g, cid, build, sample, sizes, training, pairs=False, swa=False):
    model = build()
    randomize(model, g, grid=swa)
    model.train(training)
    before = sd_json(model)
    batches = [g.randn(n, *sample) for n in sizes]
    loader = [[x, torch.zeros(x.shape[0])] for x in batches] if pairs else batches
    entry = {"id": cid, "model": cid.split("/")[0], "training": training, "pairs": pairs,
             "stateDict": before, "batches": [enc(x) for x in batches]}
    if swa:
        # The docs' example: the average of two snapshots, then update_bn on the average.
        avg = AveragedModel(model)
        avg.update_parameters(model)
        randomize(model, g, grid=True)
        entry["stateDict2"] = sd_json(model)
        avg.update_parameters(model)
        # (An AveragedModel is a Module in PyTorch, with a mode of its own, train: update_bn
        # restores every module to that. edgegrad's updateBn restores each module's own mode, so
        # the copy here is left in train mode too, where both agree.)
        update_bn(loader, avg)
        target = avg.module
    else:
        update_bn(loader, model)
        target = model
    test = g.randn(3, *sample)
    entry["after"] = sd_json(target)
    entry["momenta"] = [m.momentum for m in target.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    entry["trainingAfter"] = target.training
    target.eval()
    with torch.no_grad():
        entry["test"] = enc(test)
        entry["evalOutput"] = enc(target(test), digits=17)
    cases.append(entry)


def main():
    g = Gen(61)
    cases = []
    case(cases, g, "mlp/eval", mlp, (5,), [4, 7, 2], training=False)
    case(cases, g, "mlp/pairs", mlp, (5,), [3, 6, 5, 2], training=True, pairs=True)
    case(cases, g, "cnn/train", cnn, (2, 4, 4), [3, 5, 2], training=True)
    case(cases, g, "mlp/swa", mlp, (5,), [5, 3, 6], training=True, swa=True)
    write("tests/parity/cases/swa-update-bn.json", cases)


if __name__ == "__main__":
    main()
