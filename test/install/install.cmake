# cmake -DBUILD=<build> -DPREFIX=<prefix> -P install.cmake: a fresh install of <build> into
# <prefix> (the old one removed first, so a file no longer installed does not linger).
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX}
                RESULT_VARIABLE status OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD} --prefix ${PREFIX} failed: ${status}")
endif()
foreach(file bin/dlc bin/dl-run bin/dl-opt lib/libdlrt.a lib/libdlrt_loader.so.0
             lib/libdlrt_mpi.so.0 include/dl/runtime.h include/dl/mpi_communicator.h
             lib/cmake/dlc/dlcConfig.cmake lib/pkgconfig/dlc.pc)
  if(NOT EXISTS ${PREFIX}/${file})
    message(FATAL_ERROR "the install has no ${file}")
  endif()
endforeach()
