//===- Help.cpp - The text of dl-run --help -------------------------------===//
//
// Every command and flag of dl-run in one place, kept apart from the parser (Options.cpp) so that
// each stays short. help.test checks that every command and flag is named.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Options.h"

namespace dlrun {

std::string helpText() {
  return R"(OVERVIEW: dl-run, the driver of models compiled by dlc (model.so)

USAGE: dl-run train MODEL.so --data fashion-mnist|PATH [--epochs N] [--init CKPT] [--save CKPT]
                      [--seed S] [--threads T] [--shuffle|--no-shuffle] [--limit N]
                      [--step NAME|--schedule NAME:N,...] [--pixels standardized|unit]
                      [--plot FILE.png] [--on-nonfinite stop|skip] [--accumulate K]
                      [--distributed mpi|none]
       dl-run train MODEL.so --inputs NAME=FILE,...|--csv FILE --columns NAME=COLS,... [--epochs N]
                      [--val FRACTION|--val-inputs NAME=FILE,...] [--test-inputs NAME=FILE,...]
                      [--early-stop PATIENCE] [--monitor val_loss|val_accuracy|val_rmse|val_mae]
                      [--save-best CKPT] [--log FILE.csv|FILE.jsonl] [--shuffle|--no-shuffle]
                      [--init CKPT] [--save CKPT] [--seed S] [--threads T] [--plot FILE.png]
       dl-run train MODEL.so --inputs NAME=FILE,... --steps N [--losses FILE.csv] [--init CKPT]
                      [--save CKPT] [--seed S] [--threads T] [--step NAME] [--plot FILE.png]
                      [--accumulate K] [--distributed mpi|none]
       dl-run train MODEL.so --text FILE [--epochs N] [--steps N] [--init CKPT] [--save CKPT]
                      [--seed S] [--threads T] [--step NAME] [--plot FILE.png] [--accumulate K]
                      [--distributed mpi|none]
       dl-run eval MODEL.so --data fashion-mnist|PATH|--inputs NAME=FILE,... [--init CKPT] [--limit N]
                      [--entry NAME] [--seed S] [--threads T] [--pixels standardized|unit]
                      [--distributed mpi|none]
       dl-run eval MODEL.so --text FILE [--init CKPT] [--seed S] [--threads T]
       dl-run predict MODEL.so --inputs NAME=FILE,... --out FILE.npy [--init CKPT] [--entry NAME]
                      [--seed S] [--threads T]
       dl-run bench MODEL.so [--steps N] [--warmup W] [--entry NAME] [--init CKPT] [--seed S]
                      [--threads T]
       dl-run sample MODEL.so --out FILE.png [--entry NAME] [--output NAME] [--init CKPT] [--seed S]
                      [--columns C] [--threads T]
       dl-run sample MODEL.so --text FILE --prompt TEXT [--length N] [--temperature T]
                      [--entry NAME] [--init CKPT] [--seed S] [--threads T]
       dl-run info MODEL.so

COMMANDS:
  train     With --data: trains the model's train entry on an image data set for --epochs epochs,
            in batches of the model's batch size (the last partial batch of an epoch is dropped),
            shuffled every epoch unless --no-shuffle. The f32 input whose per-sample size is the
            image size (784 for 28x28: [B, 784], [B, 1, 28, 28], ...) gets the images, an i32
            input [B] the labels (an f32 input [B, classes] gets them one-hot). After each epoch it
            prints the mean training loss, the accuracy on the training and test splits (argmax of
            the forward entry's first [B, classes] output), and the seconds of training; at the
            end, the test accuracy. A model with several train entries (a GAN's disc_step and
            gen_step) takes all of them, one after the other, on every batch, unless --step or
            --schedule says otherwise; the loss of each is printed.
            With --inputs files of one sample per row (a table: [rows, ...sample shape], all
            with the same rows), or --csv with --columns: --epochs epochs over the rows in batches
            of B, shuffled every epoch unless --no-shuffle (the last partial batch dropped).
            --val or --val-inputs hold rows out; each epoch then prints the training loss, the
            validation loss and its metric (accuracy when an output is [B, classes] and an i32
            input [B] holds labels; RMSE and MAE when an output has the shape of an f32 input,
            the target), from the eval entry. --test-inputs are scored at the end.
            With --inputs and --steps: runs exactly --steps train steps on batches from files
            ([N, B, ...]: step k takes batch k mod N) and writes step,loss to --losses.
            With --text: trains a character-level language model (see --text) for --epochs
            epochs of floor(training characters / (B*T)) steps (or --steps), each step on B
            windows of T+1 characters at random offsets of the training split (x the first T,
            y the last T). After each epoch it prints the mean training loss and the loss of the
            eval entry over the consecutive windows of the validation split that fill whole
            batches (in nats per character for a cross-entropy), and the seconds of training.
  eval      Runs the eval entry (or the forward entry; or --entry) over the test split of --data,
            or over the batches of --inputs, and prints the mean of each loss and the accuracy.
            With --text: prints the eval entry's loss over the validation split, as train --text
            does after each epoch (for a checkpoint, with --init).
  predict   Runs the forward entry (or --entry) over every row of the --inputs files, in batches
            of the model's batch size (the last one padded), and writes its first output, one row
            per input row, to --out as .npy.
  bench     Times an entry (the train entry, else forward; or --entry) on random inputs (f32 in
            [0, 1), i32 class ids below the class count of the model's outputs) and prints the
            median and mean ms/step after --warmup untimed calls.
  sample    Calls the forward entry (or --entry) of a generative model once, inputs zero-filled,
            and writes the images of its first image-shaped f32 output (or --output): [B, N] with
            N a perfect square (784 = 28x28), [B, H, W] or [B, 1, H, W], values clamped to [0, 1],
            to --out as a grayscale PNG grid of --columns columns.
            With --text: writes the --prompt and --length characters generated after it to
            standard output. For each character it calls the forward entry with the last T
            characters in row 0 of x (every row holds the same; a shorter context is left-padded
            with spaces, or with the prompt's first character when the text has no space), takes
            the logits at the last position, and draws from softmax(logits / --temperature) over
            the vocabulary (ids below K), or takes the argmax at temperature 0.
  info      Prints the model's entries with their inputs and outputs, its parameters and
            buffers, and its memory plan in bytes.

OPTIONS:
  --data fashion-mnist|PATH  The data set: fashion-mnist is /usr/share/datasets/fashion-mnist
                    (Debian package dataset-fashion-mnist); PATH is a folder with the same four IDX
                    files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
                    t10k-labels-idx1-ubyte, each possibly .gz). Images are scaled to [0, 1], then
                    z-score normalized with the mean and standard deviation of the training split
                    (see --pixels).
  --text FILE       train, eval, sample: a character-level language model's text, read as bytes
                    (gzip decompressed). The vocabulary is the sorted set of distinct bytes in the file
                    (id k is the k-th smallest); the model's V (the last dimension of its forward
                    entry's f32 [B, T, V] or [B*T, V] logits) must be at least its size K. The
                    first 90% of the characters are the training split, the rest the validation
                    split. The entry's two i32 [B, T] inputs take the characters: the one named x,
                    else the first not named y, the context; the other the targets (the next
                    character of each). A forward entry needs only the context.
  --prompt TEXT     sample --text: the text to continue; each character must be in the vocabulary.
  --length N        sample --text: characters to generate (200).
  --temperature T   sample --text: divides the logits before the softmax (1); 0 takes the argmax.
  --inputs NAME=FILE,...  Files of the entry's inputs (.npy, CSV or IDX, told apart by content).
                    With --steps (train) and for eval: a file of exactly the input's shape is used
                    by every step; a file of shape [N, ...input shape] gives step k batch k mod N.
                    Otherwise (train without --steps, eval when the files are no batches, predict)
                    a table: [rows, ...] where each row holds one sample's values. May be repeated.
  --csv FILE        train, eval, predict: a CSV table whose columns --columns gives to inputs.
  --columns NAME=COLS,...  With --csv: the columns of each input, by index from 0 (8, or 0:8 half
                    open as in Python) or by the header line's names (target, or f0:f7 inclusive
                    as in pandas' .loc). sample: images per row of the grid (below).
  --epochs N        train --data, --text, a table of rows: passes over the training split (1).
  --val FRACTION    train on rows: hold out this fraction of the rows (chosen by a permutation
                    drawn from --seed, the same every epoch) for validation after each epoch.
  --val-inputs NAME=FILE,...  train on rows: validation rows from other files.
  --test-inputs NAME=FILE,...  train on rows: rows scored once, after training.
  --early-stop PATIENCE  train on rows with validation: stop when the --monitor value has not
                    improved for PATIENCE epochs, and restore the best epoch's parameters and
                    buffers (the step counter keeps counting), so --save writes the best model.
  --monitor NAME    val_loss (the default), val_accuracy, val_rmse or val_mae.
  --save-best CKPT  train on rows with validation: write a checkpoint at each new best epoch.
  --log FILE        train --data or on rows: every step's loss and every epoch's values, as CSV
                    (event,epoch,step,loss,...) or, for FILE.jsonl / FILE.json, JSON lines.
  --steps N         train --inputs: train steps to run; train --text: steps per epoch (instead of
                    floor(training characters / (B*T))); bench: timed calls (50).
  --warmup W        bench: untimed calls before timing (5).
  --limit N         train, eval --data: use only the first N samples of each split.
  --shuffle, --no-shuffle  train --data or on rows: shuffle every epoch (the default) or not.
  --losses FILE.csv train --inputs: write step,loss (step 1 is the first call; %.9g) to FILE.csv.
  --plot FILE.png   train: draw every call's loss, one curve per train step, as an 800x480 PNG
                    with a title (the model's name), numbered axes (step, loss) and a legend;
                    the curves' colours and the loss range are also printed.
  --on-nonfinite stop|skip  train: a step whose loss, or after which a parameter, is NaN or
                    infinite stops training with a message naming the step and why (the batch's
                    inputs, or the first parameter that is not finite); skip restores the state
                    from before that step and goes on (it copies the state before every step).
  --init CKPT       Load a checkpoint (parameters, buffers, optimizer state, step) first. A
                    checkpoint train --save wrote also holds the run's seed (used unless --seed is
                    given) and where it stopped: train resumes there (--data: the batch after the
                    last one trained, in the same order), --epochs more epochs, numbered on from
                    the saved run's, an interrupted epoch's rest being the first; N epochs equal
                    k epochs, saved, and N - k resumed, byte for byte.
  --save CKPT       train: write a checkpoint at the end (also when interrupted by Ctrl-C). Its
                    folder must exist and be writable, checked before training (so are --plot's
                    and --losses').
  --out FILE.npy    predict: where to write the output.
  --out FILE.png    sample: where to write the grid of images.
  --output NAME     sample: the output holding the images.
  --columns C       sample: images per row of the grid (ceil(sqrt(B))).
  --step NAME       train: the one train entry to run (default: with --data every train entry in
                    turn, with --inputs and --text the model's first).
  --schedule NAME:N,...  train --data: the train entries each batch goes through, in order, each N
                    times (N from 1 to 1000, ":N" may be left out for 1); NAME is the entry's name
                    or that name without "_step": --schedule disc:2,gen:1.
  --pixels standardized|unit  train, eval --data: z-scores with the training split's statistics
                    (the default), or the pixel values / 255 in [0, 1], which a model whose
                    output is an image (a sigmoid, a binary cross-entropy with the input) needs.
  --entry NAME      eval, predict, bench, sample: the entry to run.
  --seed S          Seed of initialization, random ops (sample's noise), shuffling, text windows,
                    text sampling and bench inputs (42; with --init, the checkpoint's if it has one).
  --threads T       Worker threads of the kernels (0: one per core, the default).
  --accumulate K    train: sum the gradients of K batches (through the train entry's _grad entry)
                    before one update (its _apply entry), which then uses their mean: the update of
                    a K times larger batch. Each update takes K batches; the loss printed is theirs.
  --distributed mpi|none  train, eval: join the other processes of an MPI job (see DATA
                    PARALLELISM), the default when mpirun started dl-run; none runs alone.
  --device cpu|cuda Where the model runs: the CPU or the NVIDIA GPU. By default, the first target
                    the library was compiled for (dlc --target=cpu, cuda or cpu,cuda).
  --help            Show this help.
  --version         Show the version.

DATA PARALLELISM:
  mpirun -np N dl-run train MODEL.so --data ... runs N ranks that train one model together (as
  PyTorch's DistributedDataParallel): rank 0's state is broadcast first; each global batch of
  N x B samples (B the model's batch size; x K with --accumulate) is split in N consecutive
  slices of B, rank r taking slice r, so N ranks of batch B see, in order, the batches one process
  of batch N x B would; the gradients are summed over the ranks and every rank applies their mean.
  --data shards every epoch's shuffled order so; --inputs gives rank r batch k*N + r of the files
  at step k; --text draws each rank's windows from its own stream. Losses and accuracies printed
  are means over all ranks; eval splits the batches across the ranks and sums the counts. Only
  rank 0 prints, saves checkpoints (atomically) and plots; a checkpoint of N ranks loads in one
  process. Kernel threads per rank default to the cores divided by the ranks on the machine. When
  one rank fails (a missing file, a killed process) the job ends with an error within seconds.

EXIT STATUS:
  0 success; 1 an error in a file, the model or the data (dl-run: error: ...); 2 a wrong command
  line; 130 training interrupted by Ctrl-C (after --save is written).
)";
}

} // namespace dlrun
