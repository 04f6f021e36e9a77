"""PyTorch's train step on the GPU for the models bench/gpu/run.sh times with dlc.

usage: torch_peer.py [--steps N] [--warmup W] [--models mlp,cnn,lstm,wide] [--no-compile]

The twins of examples/fashion_mlp.dl (batch 128, Dense 784-256-128-10, ReLU, dropout 0.2),
examples/fashion_cnn.dl (batch 32, two 3x3 convolutions with ReLU and 2x2 max-pooling, Dense
3136-128-10) and examples/char_lstm.dl (batch 32, 64 steps, vocabulary 96, embedding 64, LSTM 256,
gradient norm clipped to 1) and bench/gpu/wide_mlp.dl (batch 1024, Dense 1024-4096-4096-1024, ReLU),
each trained with cross-entropy and Adam, in float32 with TF32 off.
Times each step (synchronized) eagerly and under torch.compile and prints the median in ms/step,
one line per model and mode: "torch MODEL MODE median X ms/step".
"""
import argparse
import statistics
import time

import torch

nn = torch.nn


def mlp():
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 128),
                        nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    return net, torch.rand(128, 784), torch.randint(0, 10, (128,)), None


def cnn():
    net = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    return net, torch.rand(32, 1, 28, 28), torch.randint(0, 10, (32,)), None


class CharLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(96, 64)
        self.lstm = nn.LSTM(64, 256, batch_first=True)
        self.head = nn.Linear(256, 96)

    def forward(self, x):
        return self.head(self.lstm(self.embed(x))[0]).reshape(-1, 96)


def lstm():
    return CharLstm(), torch.randint(0, 96, (32, 64)), torch.randint(0, 96, (32 * 64,)), 1.0


def wide():
    net = nn.Sequential(nn.Linear(1024, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
                        nn.Linear(4096, 1024))
    return net, torch.rand(1024, 1024), torch.randint(0, 1024, (1024,)), None


MODELS = {"mlp": mlp, "cnn": cnn, "lstm": lstm, "wide": wide}


def time_model(name, compiled, steps, warmup):
    torch.manual_seed(0)
    net, x, y, clip = MODELS[name]()
    net, x, y = net.cuda(), x.cuda(), y.cuda()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    forward = torch.compile(net) if compiled else net

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(forward(x), y)
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(net.parameters(), clip)
        optimizer.step()

    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--models", default="mlp,cnn,lstm,wide")
    parser.add_argument("--no-compile", action="store_true")
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}", flush=True)
    for name in args.models.split(","):
        for compiled in ([False] if args.no_compile else [False, True]):
            mode = "compile" if compiled else "eager"
            try:
                ms = time_model(name, compiled, args.steps, args.warmup)
                print(f"torch {name} {mode} median {ms:.4g} ms/step", flush=True)
            except Exception as e:  # torch.compile needs a working Triton; report and go on
                print(f"torch {name} {mode} failed: {type(e).__name__}: {str(e)[:200]}", flush=True)


if __name__ == "__main__":
    main()
