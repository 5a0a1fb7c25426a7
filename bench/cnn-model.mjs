// The CNN the convolution benches share (Fashion-MNIST, 28×28×1 in, 10 classes out): two 3×3
// convolutions of 32 and 64 filters each followed by ReLU and 2×2 max pooling, then Linear
// 3136→128, ReLU, Linear 128→10; fixed seeds, so every bench starts from the same weights.
// `nn` is the namespace of whichever build the bench loaded.
export const fashionCnn = (nn) => new nn.Sequential(
  new nn.Conv2d(1, 32, 3, { padding: 1, seed: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Conv2d(32, 64, 3, { padding: 1, seed: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Flatten(), new nn.Linear(3136, 128, { seed: 3 }), new nn.ReLU(), new nn.Linear(128, 10, { seed: 4 }));
