# dlc_add_model: a model compiled by dlc at build time, as a library target of the project.
#
#   dlc_add_model(<name> SOURCE <file.dl>
#                 [TARGET cpu|cuda|cpu,cuda] [CPU native|x86-64-v3|x86-64-v4]
#                 [MODEL <model>] [DEFINES NAME=VALUE ...])
#
# compiles <file.dl> (relative to the current source folder) with dlc into lib<name>.so and its
# typed header <name>.h, in ${CMAKE_CURRENT_BINARY_DIR}/dlc_models/<name>/, and defines the library
# target <name>: linking it links the model and puts <name>.h on the include path. The functions the
# header declares are named after the model (`model xor` in xor.dl: xor_create, xor_train_step, ...),
# so name the target after the model. The model is compiled again when the .dl file, any file it
# imports (through dlc --depfile) or dlc itself changes.
#
#   find_package(dlc 0.1 REQUIRED)
#   dlc_add_model(xor SOURCE xor.dl DEFINES B=4)
#   add_executable(app main.c)
#   target_link_libraries(app PRIVATE xor)      # main.c: #include "xor.h"
#
# TARGET, CPU, MODEL and DEFINES are dlc's --target, --cpu, --model and -D (see dlc --help). The
# library has no SONAME: it is linked as -l<name> from its folder, found at run time through the
# RUNPATH CMake gives the program in the build tree; install it next to your program's libraries.

# Functions keep the policies in effect where they are defined: CMP0116 NEW lets dlc's depfile name
# absolute paths with any generator.
cmake_policy(PUSH)
cmake_policy(SET CMP0116 NEW)

function(dlc_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "SOURCE;TARGET;CPU;MODEL" "DEFINES")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "dlc_add_model(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_SOURCE)
    message(FATAL_ERROR "dlc_add_model(${name}): SOURCE <file.dl> is required")
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "dlc_add_model(${name}): the name must be a C identifier, as the header's is")
  endif()
  if(TARGET ${name})
    message(FATAL_ERROR "dlc_add_model(${name}): a target named '${name}' already exists")
  endif()
  get_filename_component(source ${ARG_SOURCE} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  if(NOT EXISTS ${source})
    message(FATAL_ERROR "dlc_add_model(${name}): SOURCE '${ARG_SOURCE}' does not exist (${source})")
  endif()

  set(flags)
  if(ARG_TARGET)
    list(APPEND flags --target=${ARG_TARGET})
  endif()
  if(ARG_CPU)
    list(APPEND flags --cpu=${ARG_CPU})
  endif()
  if(ARG_MODEL)
    list(APPEND flags --model=${ARG_MODEL})
  endif()
  foreach(define IN LISTS ARG_DEFINES)
    list(APPEND flags -D ${define})
  endforeach()

  set(dir ${CMAKE_CURRENT_BINARY_DIR}/dlc_models/${name})
  set(library ${dir}/lib${name}.so)
  set(header ${dir}/include/${name}.h)
  # An imported target's include folder must exist when CMake generates the build.
  file(MAKE_DIRECTORY ${dir}/include)
  add_custom_command(
    OUTPUT ${library} ${header}
    COMMAND dlc::dlc ${source} -o ${library} --depfile=${library}.d ${flags}
    COMMAND dlc::dlc ${source} --emit=header -o ${header} ${flags}
    DEPENDS ${source} dlc::dlc
    DEPFILE ${library}.d
    COMMENT "Compiling model ${name} with dlc (${ARG_SOURCE})"
    VERBATIM)
  add_custom_target(${name}_dlc_compile DEPENDS ${library} ${header})

  add_library(${name} SHARED IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    IMPORTED_LOCATION ${library}
    IMPORTED_NO_SONAME TRUE
    INTERFACE_INCLUDE_DIRECTORIES ${dir}/include)
  add_dependencies(${name} ${name}_dlc_compile)
endfunction()

cmake_policy(POP)
