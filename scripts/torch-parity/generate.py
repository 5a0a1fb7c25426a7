"""Regenerates every PyTorch differential case file in tests/parity/cases (run from the repository root)."""
import ops
import nn
import optim
import conv
import pool_norm

for module in (ops, nn, optim, conv, pool_norm):
    module.main()

import embedding
embedding.main()
import recurrent

recurrent.main()
import recurrent_cells
recurrent_cells.main()
import attention
attention.main()
import decoder
decoder.main()
import swa_update_bn
swa_update_bn.main()
import layers6
layers6.main()
import bag_margin
bag_margin.main()
import functional_extra
functional_extra.main()
import linalg
linalg.main()
import index_ops
index_ops.main()
import stats_ops
stats_ops.main()
import math_ops
math_ops.main()
import hooks
hooks.main()
import packed_sequence
packed_sequence.main()
import fft
fft.main()
import linalg_svd
linalg_svd.main()
import resize_1d
resize_1d.main()
import ctc
ctc.main()
import distributions
distributions.main()
import autograd
autograd.main()
import conv3d
conv3d.main()
import nn_more
nn_more.main()
import functional_more
functional_more.main()
