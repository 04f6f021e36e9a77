# What `cmake --install <build> --prefix P` (and `make install PREFIX=P`) puts under P:
#   bin/                           dlc, dl-run, dl-opt
#   include/dl/                    runtime.h (the C ABI), model_abi.h, mpi_communicator.h
#   lib/libdlrt.a                  the runtime linked into every model.so (dlc finds it as
#                                  ../lib/libdlrt.a from its own executable)
#   lib/libdlrt_loader.so.0        the loader of dl/runtime.h's generic API (SONAME .so.0)
#   lib/libdlrt_mpi.so.0           dl/mpi_communicator.h, data-parallel training on MPI
#                                  (SONAME .so.0; links the system's libmpi)
#   lib/cmake/dlc/                 the CMake package: find_package(dlc) gives dlc::runtime,
#                                  dlc::loader, dlc::mpi, dlc::dlc and dlc_add_model
#                                  (dlcAddModel.cmake)
#   lib/pkgconfig/dlc.pc           the loader and the headers for pkg-config
#   lib/python3/dist-packages/dlc/ the Python package (python/dlc), ctypes over the loader
# Nothing installed names the source or build tree, and the tree can move as a whole: the
# executables find the loader through RUNPATH $ORIGIN/../lib, the CMake package and the pkg-config
# file locate the prefix from their own folder, and the Python package finds the loader and dlc
# relative to its own file. The folders are fixed (not GNUInstallDirs' multiarch lib/<triplet>),
# because dlc looks for the runtime at ../lib from bin/.
include(CMakePackageConfigHelpers)

set(DLC_INSTALL_CMAKEDIR lib/cmake/dlc)
set(DLC_INSTALL_PYTHONDIR lib/python3/dist-packages)

install(TARGETS dlc dl-run dl-opt EXPORT dlcTargets RUNTIME DESTINATION bin)
install(TARGETS dlrt dlrt_loader dlrt_mpi EXPORT dlcTargets
  ARCHIVE DESTINATION lib
  LIBRARY DESTINATION lib)
install(FILES ${PROJECT_SOURCE_DIR}/runtime/include/dl/runtime.h
              ${PROJECT_SOURCE_DIR}/runtime/include/dl/model_abi.h
              ${PROJECT_SOURCE_DIR}/runtime/include/dl/mpi_communicator.h
        DESTINATION include/dl)

install(EXPORT dlcTargets NAMESPACE dlc:: FILE dlcTargets.cmake DESTINATION ${DLC_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/dlcConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/dlcConfig.cmake
  INSTALL_DESTINATION ${DLC_INSTALL_CMAKEDIR})
# 0.x: a minor version may change the ABI, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/dlcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/dlcConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/dlcConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/dlcAddModel.cmake
        DESTINATION ${DLC_INSTALL_CMAKEDIR})

configure_file(${CMAKE_CURRENT_LIST_DIR}/dlc.pc.in ${PROJECT_BINARY_DIR}/cmake/dlc.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cmake/dlc.pc DESTINATION lib/pkgconfig)

if(EXISTS ${PROJECT_SOURCE_DIR}/python/dlc)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/dlc DESTINATION ${DLC_INSTALL_PYTHONDIR}
          FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
endif()
