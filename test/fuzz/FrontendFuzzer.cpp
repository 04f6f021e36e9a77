//===- FrontendFuzzer.cpp - libFuzzer target of the .dl frontend ----------===//
//
// Feeds each input to the frontend as a .dl file: the parser and AST printer (`--emit=ast`), then
// the whole frontend with the prelude (`--emit=mlir`), with a fresh MLIRContext each time so every
// run is reproducible on its own. Errors in the program are expected; what counts as a finding is a
// crash, a sanitizer report, a timeout, or one of these broken promises, turned into an abort:
//   - compileSource returns a module exactly when no error was reported;
//   - MLIR reports no diagnostic (which would come from generated IR that does not verify, an
//     "internal compiler error");
//   - a returned module verifies and prints.
//
// Imports are resolved against a private temporary folder holding two small files (a layer to
// import and a file that imports itself). Inputs whose imports could leave that folder (an absolute
// path, or one with "..") are rejected, so the fuzzer never reads the machine's files or devices.
//
// Built and run by build_and_run.sh with clang's -fsanitize=fuzzer,address,undefined.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/AST.h"
#include "compiler/frontend/Diagnostics.h"
#include "compiler/frontend/Elaborator.h"
#include "compiler/frontend/Lexer.h"
#include "compiler/frontend/Parser.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

/// The folder imports are resolved in; the input is compiled as <folder>/fuzz.dl.
std::string gFolder;

void writeFile(const std::string &path, const char *text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// Whether an import of `path` from <folder>/fuzz.dl stays inside <folder>.
bool safeImport(const std::string &path) {
  return !path.empty() && path[0] != '/' && path.find("..") == std::string::npos;
}

/// Lexes the input (with the real lexer, so escapes in strings are seen as the frontend sees them)
/// and checks every `import "..."`.
bool importsAreSafe(const std::string &text) {
  dlc::SourceManager sources;
  std::ostringstream sink;
  dlc::DiagnosticEngine diags(sources, sink);
  std::vector<dlc::Token> tokens = dlc::lex(sources, sources.add("fuzz.dl", text), diags);
  for (size_t i = 0; i + 1 < tokens.size(); ++i)
    if (tokens[i].kind == dlc::Tok::KwImport && tokens[i + 1].kind == dlc::Tok::String &&
        !safeImport(tokens[i + 1].text))
      return false;
  return true;
}

[[noreturn]] void fail(const char *what, const std::string &diagnostics) {
  std::fprintf(stderr, "frontend fuzzer: %s\n--- diagnostics ---\n%s\n", what, diagnostics.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  char folder[] = "/tmp/dl-frontend-fuzz-XXXXXX";
  if (!mkdtemp(folder)) {
    std::perror("mkdtemp");
    std::exit(1);
  }
  gFolder = folder;
  writeFile(gFolder + "/lib.dl", "const H = 4\n"
                                 "layer Twice(n, act = relu) {\n"
                                 "  inner = Dense(n, n, act = act)\n"
                                 "  apply(x) = inner(inner(x))\n"
                                 "}\n");
  writeFile(gFolder + "/self.dl", "import \"self.dl\"\n");
  std::atexit([] {
    std::remove((gFolder + "/lib.dl").c_str());
    std::remove((gFolder + "/self.dl").c_str());
    std::remove(gFolder.c_str());
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  if (!importsAreSafe(text))
    return -1;  // Not added to the corpus.
  const std::string name = gFolder + "/fuzz.dl";

  // --emit=ast: the parser and the printer on their own.
  {
    dlc::SourceManager sources;
    std::ostringstream messages;
    dlc::DiagnosticEngine diags(sources, messages);
    std::unique_ptr<dlc::ast::Module> module = dlc::parseFile(sources, sources.add(name, text), diags);
    if (!module)
      fail("parseFile returned no module", messages.str());
    std::ostringstream printed;
    dlc::ast::print(*module, printed);
  }

  // --emit=mlir: the whole frontend, prelude included.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  std::string mlirMessages;
  context.getDiagEngine().registerHandler([&](mlir::Diagnostic &d) {
    mlirMessages += d.str() + "\n";
    return mlir::success();
  });
  dlc::SourceManager sources;
  std::ostringstream messages;
  dlc::DiagnosticEngine diags(sources, messages);
  dlc::FrontendOptions options;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      dlc::compileSource(context, sources, diags, name, text, options);
  std::string reported = messages.str() + mlirMessages;
  // The frontend reports program errors itself; MLIR speaks only when the IR the frontend built
  // does not verify (the frontend then reports an internal compiler error).
  if (!mlirMessages.empty())
    fail("internal compiler error: MLIR reported a diagnostic", reported);
  if (module && diags.hasErrors())
    fail("a module was returned after errors", reported);
  if (!module && !diags.hasErrors())
    fail("no module was returned, and no error reported", reported);
  if (module) {
    if (mlir::failed(mlir::verify(*module)))
      fail("the returned module does not verify", reported + mlirMessages);
    std::string printed;
    llvm::raw_string_ostream os(printed);
    module->print(os);
  }
  return 0;
}
