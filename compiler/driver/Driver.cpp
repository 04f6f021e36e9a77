//===- Driver.cpp - The pipeline behind dlc -------------------------------===//
#include "compiler/driver/Driver.h"
#include "compiler/driver/Oracle.h"
#include "compiler/driver/OutputFiles.h"
#include "compiler/codegen/CompileModel.h"
#include "compiler/codegen/link/Temporaries.h"
#include "compiler/exporter/Exporter.h"
#include "compiler/frontend/AST.h"
#include "compiler/frontend/Elaborator.h"
#include "compiler/frontend/Parser.h"

#include "compiler/transforms/Passes.h"
#include "compiler/transforms/Pipeline.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace dlc {

std::string helpText() {
  return R"(OVERVIEW: dlc, the deep-learning compiler

USAGE: dlc FILE.dl [-o MODEL.so] [-H] [--target=TARGET] [--cpu=CPU] [--model=NAME]
                   [-D NAME=VALUE]...
       dlc FILE.dl --emit=KIND [--stage=STAGE] [-o OUT] [-D NAME=VALUE]...
       dlc FILE.dl --emit=onnx [--init CKPT] [--onnx-random=ops|inputs] [-o MODEL.onnx]
       dlc check-grad FILE.dl [-D NAME=VALUE]... [--seed N] [--tolerance T] [--step NAME]
                      [--input NAME=v1,v2,...]...
       dlc interpret FILE.dl [--steps N] [--print-every N] [--seed N] [--step NAME]
                      [--input NAME=v1,v2,...]... [-D NAME=VALUE]...
       dlc import MODEL.onnx [-o MODEL.dl] [--weights W.safetensors] [--model NAME]
                      [--loss NAME[(ARGS)] [--optimizer SPEC [--freeze NAMES]]] [--dim NAME=N]...
       dlc import --list-ops

COMMANDS:
  (none)            Compile FILE.dl into a shared library (the default, --emit=so), or print
                    what --emit names.
  check-grad        Check every train block's gradients (dl-autodiff) against central finite
                    differences of its loss, through the double-precision reference
                    interpreter, from random parameters and inputs drawn from the seed. Prints
                    the worst relative error per parameter; exits 1 above the tolerance.
  interpret         Train with the reference interpreter (dl-expand-optimizers' step) on the
                    given or random inputs, printing the loss of every step.
  import            Translate an ONNX model (opsets 13 to 17, as torch.onnx.export writes them)
                    into a .dl program (-o, MODEL.dl by default) and its weights (--weights, the
                    program's name with .safetensors), which dl-run --init and dl_instance_load
                    read. Layers are recognised where the graph has them (Gemm or MatMul + Add:
                    Dense; Conv: Conv2d; BatchNormalization: BatchNorm; LayerNormalization:
                    LayerNorm; Gather of an initializer: Embedding); other nodes become builtins.
                    A node, attribute or dtype dlc cannot express is an error naming them.

IMPORT OPTIONS:
  --weights FILE    Where to write the weights (safetensors).
  --model NAME      The model's name (default: the .onnx file's name).
  --loss NAME       Add an input `target` and a loss NAME(first output, target): cross_entropy
                    and nll take i32 class ids, mse, mae, huber, bce, bce_with_logits, hinge and
                    kl_div a target shaped like the output. NAME(ARGS) passes keyword arguments
                    after them: --loss 'cross_entropy(label_smoothing = 0.1, ignore_index = 0)'.
  --optimizer SPEC  With --loss, add a train block: SPEC as in .dl, e.g. 'adam(lr = 1e-4)',
                    training every layer (`params = all`; see --freeze). The weights then hold
                    the optimizer's state of the trained parameters too, at zero (edit `params`
                    by hand and that state no longer matches: import again with --freeze).
  --freeze NAMES    With --optimizer: layers or parameters (comma-separated, as the program names
                    them) the train block leaves out of `params`, to fine-tune the rest.
  --dim NAME=N      The size of the symbolic input dimension NAME (dlc's shapes are static).
  --list-ops        Print the ONNX ops dlc import translates, one a line.

OPTIONS:
  --emit=so         (default) Build the model's shared library: its kernels (Halide, for the
                    CPU --cpu names), the glue calling them at their memory-plan offsets, and the
                    runtime behind the C ABI of dl/runtime.h. Written to -o (FILE.so when absent).
  -H                With the library, write its typed C header beside it (MODEL.h).
  --emit=header     Print the typed C header: <model>_create, one function per entry point
                    (<model>_forward, <model>_eval, <model>_train_step, ...), _save/_load/_param,
                    and the memory plan's byte counts.
  --emit=memplan    Print the memory plan: the state block (parameters, optimizer state), each
                    entry point's kernels with where every buffer lives, the workspace size.
                    Element-wise kernels that differ only in size (an optimizer's update of
                    each parameter) share one kernel, named after the first with "_n", which
                    sees its tensors as rows of their elements (f32[12] for a [3, 4] weight).
  --emit=halide     Print Halide's lowered statement of every kernel.
  --emit=ptx        Print the PTX of every kernel (with --target=cuda), each module after a
                    line "// kernel NAME".
  --emit=llvm       Print the glue (entry points, descriptor, typed wrappers) as LLVM IR.
  --emit=obj        Write the glue as an object file to -o (FILE.o when absent).
  --emit=onnx       Write the forward entry as an ONNX model (opset 17) to -o (FILE.onnx when
                    absent), carrying the weights as initializers named as checkpoints name them:
                    those of --init CKPT, else the initial values drawn from --seed. Inputs and
                    outputs keep their .dl names; recurrent layers export as their unrolled steps.
                    Random draws (normal, uniform) export as --onnx-random says. An op ONNX
                    cannot carry is an error at its line.
  --init CKPT       With --emit=onnx: the checkpoint (dl-run --save, dl_instance_save) whose
                    parameters and buffers the export carries.
  --onnx-random=HOW With --emit=onnx, how normal() and uniform() export: ops (the default, as
                    torch.onnx.export writes torch.randn/rand): ONNX's RandomNormal and
                    RandomUniform, so the graph draws its own numbers, not dlc's; or inputs: each
                    draw becomes a graph input named after where it is drawn (normal_LINE_COL)
                    with its shape, for the caller to feed, e.g. the very numbers dlc draws
                    (metadata_props "dlc.random.NAME" give the Philox stream; runtime/rng/Philox.h).
  --target=TARGET   Where the kernels run: cpu (the default), cuda (NVIDIA GPUs of compute
                    capability 8.0 and later, through the CUDA driver loaded at run time; the
                    library's instances are then created with DL_DEVICE_CUDA) or cpu,cuda (both
                    in one library; the device given to <model>_create chooses).
  --cpu=CPU         Kernels for: native (the host, the default), x86-64-v3 (AVX2, FMA) or
                    x86-64-v4 (AVX-512). With --target=cuda, the host code's CPU.
  --model=NAME      The model to build when FILE.dl defines several.
  --attention=HOW   How attention() is built: fused (the default: one dl.attention op, each
                    head's scores computed in cache-sized tiles and never stored whole: up to
                    1024 x 1024 scores per head a tile per head, past it blocks of 8 rows against
                    all keys, memory growing with T, not T^2; causal attention skips the blocks
                    above the diagonal) or composed (matmul, softmax and a constant mask, the
                    scores stored whole: the reference form). Fused needs q, k and v with the
                    same leading dimensions; other attention is composed either way.
  --train-step=HOW  What each train block's entry <step> runs (the library always has
                    <step>_grad, which adds a batch's loss and gradients into the step's gradient
                    area, and <step>_apply, which clips, decays and updates from the area's mean):
                    split (the default on the CPU: <step> runs <step>_grad, then <step>_apply, so
                    the backward pass and the optimizer compile once) or fused (the default with
                    --target=cuda or cpu,cuda: <step> has kernels of its own, the gradients
                    passed to the update without the area, which the runtime clears on the host).
  --unroll-scans=N  Unroll every scan of at most N steps into straight-line steps (0, the
                    default: none). A scan otherwise stays a loop in the compiled entry point,
                    its body's kernels called once per step, so compile time and library size
                    do not grow with its length; unrolled, each step's kernels are compiled
                    alike and called in sequence.
  --time-phases     Print to standard error where the compile's time went, as LLVM's
                    -time-passes does: the wall-clock seconds of each phase (frontend, MLIR
                    passes, kernel extraction, glue, the kernels' compiles in parallel child
                    processes, the glue's object, the link), the CPU seconds of dlc and of its
                    children, each kernel's seconds lowering in Halide and in LLVM (the sums
                    and the slowest ten); before it, MLIR's own timing of each pass.
  --emit=ast        Print the syntax tree of FILE.dl (the file alone, without imports).
  --emit=mlir       Print the dl dialect IR: one dl.model per model with its parameters,
                    its forward and eval functions, and one loss function and dl.train
                    op per train block.
  --stage=STAGE     With --emit=mlir, how far to run the pipeline before printing:
                      parsed    the frontend's IR (the default)
                      autodiff  plus <step>.grad for every train block: the loss and the
                                gradient of every trained parameter (dl-autodiff)
                      train     plus <step>.update, the training step: gradients, clipping, weight
                                decay, schedule and the optimizer's update, with its state
                                as dl.buffers, and <step>.accumulate and <step>.apply, the
                                step split at the gradient (dl-expand-optimizers); no
                                <step>.update with --train-step=split
                      fused     plus each entry point's kernels as dl.fusion regions, a scan's
                                body's kernels inside its loop, invariants hoisted out of it
                                (dl-unroll-scans, cse, dl-fuse, cse)
                      planned   plus the memory plan: dl.slots on every kernel, dl.offset on the
                                state, byte counts on the model (dl-plan-memory)
  --depfile=FILE    After writing -o OUT, write FILE: a Make rule "OUT: FILE.dl IMPORTS..."
                    naming every .dl file read (absolute paths), so build systems (Make, Ninja, CMake's
                    dlc_add_model) rebuild when an import changes.
  -o OUT            Write the result to OUT (written whole or not at all) instead of
                    standard output. OUT may not be the input, nor an existing path that is
                    not a regular file (a symbolic link, FIFO, device or directory).
  -D NAME=VALUE     Override the constant NAME (an integer, a number, true or false),
                    as in -D B=256. May be repeated.
  --no-prelude      Do not load the built-in layers (Dense, Dropout, Flatten, LayerNorm).
  --seed N          Seed of parameter initialization, random inputs and random ops (42).
  --tolerance T     check-grad: worst relative error allowed (1e-4).
  --steps N         interpret: training steps (100).
  --print-every N   interpret: print the loss every N steps (1).
  --step NAME       check-grad, interpret: only the train step NAME (train_step, disc_step).
  --input NAME=V    check-grad, interpret: the values of input NAME, comma-separated in
                    row-major order (others are random: f32 in [-1, 1], class ids below
                    the class count, bce targets in (0, 1)). May be repeated.
  --help            Show this help.
  --version         Show the version.

EXIT STATUS:
  0 success; 1 the program has errors (reported as file:line:col: error: ...), or a file
  cannot be read or written (sources must be regular files of at most 16 MiB; a write error
  on standard output counts); 2 the command line is wrong.

Use the library with dl-run (dl-run --help), or link it: see examples/embed.
)";
}

bool parseCommandLine(int argc, char **argv, DriverOptions &options, std::ostream &err) {
  auto usage = [&](const std::string &message) {
    err << "dlc: error: " << message << "\n(run 'dlc --help' for usage)\n";
    return false;
  };
  auto addDefine = [&](const std::string &text) {
    size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
      return usage("-D expects NAME=VALUE, not '" + text + "'");
    options.defines.push_back({text.substr(0, eq), text.substr(eq + 1)});
    return true;
  };
  int first = 1;
  if (argc > 1 && std::string(argv[1]) == "import") {
    options.command = "import";
    for (int i = 2; i < argc; ++i)
      if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
        options.help = true;
        return true;
      }
    return parseImportCommandLine(argc, argv, 2, options.importCommand, err);
  }
  if (argc > 1 && (std::string(argv[1]) == "check-grad" || std::string(argv[1]) == "interpret")) {
    options.command = argv[1];
    first = 2;
  }
  // The value of a flag given as --flag=VALUE or --flag VALUE ("" when absent).
  auto value = [&](int &i, const std::string &arg) {
    if (arg.find('=') != std::string::npos)
      return arg.substr(arg.find('=') + 1);
    return i + 1 < argc ? std::string(argv[++i]) : std::string();
  };
  auto number = [&](int &i, const std::string &flag, auto &out) {
    std::string text = value(i, flag);
    std::istringstream in(text);
    in >> out;
    return !text.empty() && in.eof() && !in.fail();
  };
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    std::string flag = arg.substr(0, arg.find('='));
    if (flag == "--seed" || flag == "--tolerance" || flag == "--steps" || flag == "--print-every") {
      bool ok = flag == "--seed"        ? number(i, arg, options.seed)
                : flag == "--tolerance" ? number(i, arg, options.tolerance)
                : flag == "--steps"     ? number(i, arg, options.steps)
                                        : number(i, arg, options.printEvery);
      if (!ok || options.steps < 0 || options.printEvery <= 0 || options.tolerance <= 0)
        return usage(flag + " needs a positive number");
      continue;
    }
    if (flag == "--step") {
      options.step = value(i, arg);
      if (options.step.empty())
        return usage("--step needs a train step name");
      continue;
    }
    if (arg == "--input") {
      if (i + 1 >= argc)
        return usage("--input needs NAME=v1,v2,...");
      arg = "--input=" + std::string(argv[++i]);
    }
    if (arg.rfind("--input=", 0) == 0) {
      std::string text = arg.substr(8);
      size_t eq = text.find('=');
      if (eq == std::string::npos || eq == 0)
        return usage("--input expects NAME=v1,v2,..., not '" + text + "'");
      options.inputs.push_back({text.substr(0, eq), text.substr(eq + 1)});
      continue;
    }
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      options.help = true;
    } else if (arg == "--version") {
      options.version = true;
    } else if (arg.rfind("--emit=", 0) == 0) {
      options.emit = arg.substr(7);
      static const char *kinds[] = {"ast",    "mlir", "so",   "header", "memplan",
                                    "halide", "ptx",  "llvm", "obj",    "onnx"};
      if (std::find(std::begin(kinds), std::end(kinds), options.emit) == std::end(kinds))
        return usage("unknown --emit kind '" + options.emit +
                     "' (expected ast, mlir, so, header, memplan, halide, ptx, llvm, obj or onnx)");
    } else if (arg.rfind("--target=", 0) == 0) {
      options.target = arg.substr(9);
      if (options.target != "cpu" && options.target != "cuda" && options.target != "cpu,cuda")
        return usage("unknown --target '" + options.target +
                     "' (expected cpu, cuda or cpu,cuda)");
    } else if (arg.rfind("--cpu=", 0) == 0) {
      options.cpu = arg.substr(6);
      if (options.cpu != "native" && options.cpu != "x86-64-v3" && options.cpu != "x86-64-v4")
        return usage("unknown --cpu '" + options.cpu + "' (expected native, x86-64-v3 or x86-64-v4)");
    } else if (arg.rfind("--attention=", 0) == 0) {
      std::string how = arg.substr(12);
      if (how != "fused" && how != "composed")
        return usage("unknown --attention '" + how + "' (expected fused or composed)");
      options.fuseAttention = how == "fused";
    } else if (arg.rfind("--train-step=", 0) == 0) {
      options.trainStep = arg.substr(13);
      if (options.trainStep != "split" && options.trainStep != "fused")
        return usage("unknown --train-step '" + options.trainStep + "' (expected split or fused)");
    } else if (arg.rfind("--unroll-scans=", 0) == 0) {
      std::string steps = arg.substr(15);
      char *end = nullptr;
      long long n = std::strtoll(steps.c_str(), &end, 10);
      if (steps.empty() || *end != '\0' || n < 0 || n > 1000000)
        return usage("--unroll-scans needs a step count from 0 to 1000000, not '" + steps + "'");
      options.unrollScans = n;
    } else if (arg.rfind("--model=", 0) == 0) {
      options.model = arg.substr(8);
    } else if (arg == "-H") {
      options.header = true;
    } else if (flag == "--init") {
      options.init = value(i, arg);
      if (options.init.empty())
        return usage("--init needs a checkpoint file");
    } else if (flag == "--onnx-random") {
      options.onnxRandom = value(i, arg);
      if (options.onnxRandom != "ops" && options.onnxRandom != "inputs")
        return usage("unknown --onnx-random '" + options.onnxRandom + "' (expected ops or inputs)");
    } else if (flag == "--depfile") {
      options.depfile = value(i, arg);
      if (options.depfile.empty())
        return usage("--depfile needs a file name");
    } else if (arg.rfind("--stage=", 0) == 0) {
      options.stage = arg.substr(8);
      if (!mlir::dl::parseStage(options.stage))
        return usage("unknown --stage '" + options.stage + "' (expected " +
                     mlir::dl::stageNames() + ")");
    } else if (arg == "-o") {
      if (i + 1 >= argc)
        return usage("-o needs a file name");
      options.output = argv[++i];
    } else if (arg == "-D") {
      if (i + 1 >= argc)
        return usage("-D needs NAME=VALUE");
      if (!addDefine(argv[++i]))
        return false;
    } else if (arg.rfind("-D", 0) == 0) {
      if (!addDefine(arg.substr(2)))
        return false;
    } else if (arg == "--time-phases") {
      options.timePhases = true;
    } else if (arg == "--no-prelude") {
      options.prelude = false;
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      return usage("unknown option '" + arg + "'");
    } else if (options.input.empty()) {
      options.input = arg;
    } else {
      return usage("more than one input file ('" + options.input + "' and '" + arg + "')");
    }
  }
  if (options.help || options.version)
    return true;
  if (options.input.empty())
    return usage("no input file");
  if (!options.command.empty()) {
    if (!options.emit.empty())
      return usage("--emit does not apply to 'dlc " + options.command + "'");
    if (!options.depfile.empty())
      return usage("--depfile does not apply to 'dlc " + options.command + "'");
    return true;
  }
  if (options.emit.empty())
    options.emit = "so";
  if (options.stage != "parsed" && options.emit != "mlir")
    return usage("--stage applies to --emit=mlir only");
  if (options.emit == "ptx" && options.target == "cpu")
    return usage("--emit=ptx needs --target=cuda");
  if (options.header && options.emit != "so")
    return usage("-H applies when building a shared library");
  if (!options.depfile.empty() && (options.emit == "ast" || options.output.empty() ||
                                   options.output == "-"))
    return usage("--depfile needs an output file (-o), and does not apply to --emit=ast");
  if (!options.init.empty() && options.emit != "onnx")
    return usage("--init applies to --emit=onnx (dl-run --init loads a checkpoint into a library)");
  if (!options.onnxRandom.empty() && options.emit != "onnx")
    return usage("--onnx-random applies to --emit=onnx");
  if (options.output.empty() && (options.emit == "so" || options.emit == "obj" || options.emit == "onnx"))
    options.output = std::filesystem::path(options.input).stem().string() +
                     (options.emit == "so" ? ".so" : options.emit == "obj" ? ".o" : ".onnx");
  return true;
}

/// A path as a Make rule writes it (and Ninja reads it): spaces, '#' and '$' escaped.
static std::string makeEscaped(const std::string &path) {
  std::string escaped;
  for (char c : path) {
    if (c == ' ' || c == '#')
      escaped += '\\';
    else if (c == '$')
      escaped += '$';
    escaped += c;
  }
  return escaped;
}

/// With --depfile, writes "OUTPUT: SOURCE IMPORTS..." naming every .dl file the frontend read by its
/// absolute path (the embedded prelude is part of dlc, not a file). Returns the exit status.
static int writeDepfile(const DriverOptions &options, const SourceManager &sources,
                        std::ostream &err) {
  if (options.depfile.empty())
    return kExitOk;
  std::string rule = makeEscaped(options.output) + ":";
  for (uint32_t file = 0; file < sources.size(); ++file)
    if (sources.name(file) != kPreludeName)
      rule += " \\\n  " + makeEscaped(std::filesystem::absolute(sources.name(file)).string());
  rule += "\n";
  std::string why;
  if (!writeAtomically(options.depfile, rule, why)) {
    err << "dlc: error: " << why << "\n";
    return kExitInputError;
  }
  return kExitOk;
}

int runDriver(const DriverOptions &options, std::ostream &out, std::ostream &err) {
  if (options.help) {
    out << helpText();
    return kExitOk;
  }
  if (options.version) {
    out << "dlc " << DLC_VERSION << " (MLIR 19, Halide 14)\n";
    return kExitOk;
  }
  if (options.command == "import")
    return runImport(options.importCommand, out, err);
  // Checked before any work, so a refused output costs nothing and the input is never replaced.
  std::vector<std::string> outputs;
  if (options.command.empty() && !options.output.empty() && options.output != "-")
    outputs.push_back(options.output);
  if (options.command.empty() && options.header && !options.output.empty())
    outputs.push_back(std::filesystem::path(options.output).replace_extension(".h").string());
  if (!options.depfile.empty())
    outputs.push_back(options.depfile);
  for (const std::string &output : outputs) {
    std::string why = unwritableOutput(output, options.input);
    if (!why.empty()) {
      err << "dlc: error: " << why << "\n";
      return kExitInputError;
    }
  }

  SourceManager sources;
  DiagnosticEngine diags(sources, err);
  std::string text;

  if (options.emit == "ast") {
    std::string contents, why;
    if (!readFile(options.input, contents, why)) {
      err << "dlc: error: " << why << "\n";
      return kExitInputError;
    }
    auto module = parseFile(sources, sources.add(options.input, contents), diags);
    if (diags.hasErrors())
      return kExitInputError;
    std::ostringstream os;
    ast::print(*module, os);
    text = os.str();
  } else {
    mlir::MLIRContext context;
    context.printOpOnDiagnostic(false);
    // The frontend reports its own errors; MLIR's (an internal verifier failure) go to `err` too.
    // Diagnostics of passes (a gradient through `step`, say) point into the .dl source: print them
    // as the frontend prints its own, with the line and a caret.
    context.getDiagEngine().registerHandler([&](mlir::Diagnostic &d) {
      Severity severity = d.getSeverity() == mlir::DiagnosticSeverity::Error     ? Severity::Error
                          : d.getSeverity() == mlir::DiagnosticSeverity::Warning ? Severity::Warning
                                                                                  : Severity::Note;
      auto toSource = [&](mlir::Location loc) {
        SourceLoc at;
        if (auto fileLoc = llvm::dyn_cast<mlir::FileLineColLoc>(loc))
          if (std::optional<uint32_t> file = sources.find(fileLoc.getFilename().str()))
            at = {*file, fileLoc.getLine(), fileLoc.getColumn()};
        return at;
      };
      if (auto call = llvm::dyn_cast<mlir::CallSiteLoc>(d.getLocation())) {
        diags.report(severity, toSource(call.getCaller()), d.str());
        diags.note(toSource(call.getCallee()), "inside this built-in layer");
      } else {
        diags.report(severity, toSource(d.getLocation()), d.str());
      }
      for (const mlir::Diagnostic &note : d.getNotes())
        diags.note({}, note.str());
      return mlir::success();
    });
    FrontendOptions frontend;
    frontend.defines = options.defines;
    frontend.prelude = options.prelude;
    frontend.fuseAttention = options.fuseAttention;
    std::string contents, why;
    if (!readFile(options.input, contents, why)) {
      err << "dlc: error: " << why << "\n";
      return kExitInputError;
    }
    dl::codegen::PhaseTimes times;
    auto module = compileSource(context, sources, diags, options.input, contents, frontend);
    if (!module)
      return kExitInputError;
    times.phase("frontend (parse, check, dl IR)");
    bool codegen = options.emit != "mlir" && options.emit != "onnx" && options.command.empty();
    std::string stage = options.command == "check-grad"  ? "autodiff"
                        : options.command == "interpret" ? "train"
                        : codegen                        ? "planned"
                                                         : options.stage;
    if (stage != "parsed") {
      mlir::PassManager pm(&context);
      mlir::dl::PipelineOptions pipeline;
      pipeline.unrollMaxSteps = options.unrollScans;
      // On the CPU a train entry runs its grad entry, then its apply entry, so that the backward
      // pass and the optimizer compile once. With CUDA kernels the fused step stays: the runtime
      // clears the gradient area after apply on the host, a copy of the state from the GPU and
      // back every step. The interpreter's commands run the fused @<step>.update.
      pipeline.splitTrainSteps =
          options.command.empty() &&
          (options.trainStep.empty() ? codegen && options.target == "cpu"
                                     : options.trainStep == "split");
      mlir::dl::buildPipeline(pm, *mlir::dl::parseStage(stage), pipeline);
      // MLIR's report of each pass, printed when `pm` goes (before dlc's own report).
      if (options.timePhases)
        pm.enableTiming();
      if (mlir::failed(pm.run(*module)))
        return kExitInputError;
      times.phase("MLIR passes (to " + stage + ")");
    }
    if (!options.command.empty()) {
      OracleOptions oracle;
      oracle.seed = options.seed;
      oracle.tolerance = options.tolerance;
      oracle.steps = options.steps;
      oracle.printEvery = options.printEvery;
      oracle.step = options.step;
      for (const auto &[name, values] : options.inputs)
        oracle.inputs[name] = values;
      return options.command == "check-grad" ? checkGradients(*module, oracle, out, err)
                                             : interpret(*module, oracle, out, err);
    }
    if (options.emit == "onnx") {
      // A scan (a recurrent layer) is exported as its steps, every one unrolled; ONNX's Scan or
      // Loop would carry the body as a subgraph instead.
      mlir::PassManager unroll(&context);
      unroll.addPass(mlir::dl::createUnrollScans(
          mlir::dl::UnrollScansOptions{std::numeric_limits<int64_t>::max()}));
      unroll.addPass(mlir::createCSEPass());
      if (mlir::failed(unroll.run(*module)))
        return kExitInputError;
      exporter::ExportOptions exportOptions;
      exportOptions.model = options.model;
      exportOptions.init = options.init;
      exportOptions.seed = options.seed;
      exportOptions.random =
          options.onnxRandom == "inputs" ? exporter::RandomForm::Inputs : exporter::RandomForm::Ops;
      exportOptions.sourceName = std::filesystem::path(options.input).filename().string();
      std::string why;
      if (!exporter::exportOnnx(*module, exportOptions, text, why)) {
        if (!why.empty())
          err << "dlc: error: " << why << "\n";
        return kExitInputError;
      }
    } else if (codegen) {
      dl::codegen::BuildOptions build;
      build.emit = options.emit;
      build.cpu = options.cpu;
      build.target = options.target;
      build.output = options.output;
      build.sourceName = std::filesystem::path(options.input).filename().string();
      build.model = options.model;
      build.times = &times;
      std::string why;
      if (!dl::codegen::buildArtifact(*module, build, text, why)) {
        err << "dlc: error: " << why << "\n";
        return kExitInputError;
      }
      if (options.timePhases)
        err << times.report();
      if (options.emit == "obj")
        return writeDepfile(options, sources, err);
      if (options.emit == "so") {
        if (!options.header)
          return writeDepfile(options, sources, err);
        build.emit = "header";
        if (!dl::codegen::buildArtifact(*module, build, text, why)) {
          err << "dlc: error: " << why << "\n";
          return kExitInputError;
        }
        std::string headerPath = std::filesystem::path(options.output).replace_extension(".h");
        if (!writeAtomically(headerPath, text, why)) {
          err << "dlc: error: " << why << "\n";
          return kExitInputError;
        }
        return writeDepfile(options, sources, err);
      }
    } else {
      llvm::raw_string_ostream os(text);
      module->print(os);
      os << "\n"; // As mlir-opt and dl-opt end it.
    }
  }

  if (options.output.empty() || options.output == "-") {
    out << text;
    return kExitOk;
  }
  std::string why;
  if (!writeAtomically(options.output, text, why)) {
    err << "dlc: error: " << why << "\n";
    return kExitInputError;
  }
  return writeDepfile(options, sources, err);
}

} // namespace dlc
