# Writes the file IN as a C++ raw string literal into OUT, for inclusion in a .cpp file.
file(READ ${IN} content)
file(WRITE ${OUT} "R\"dlprelude(${content})dlprelude\"\n")
