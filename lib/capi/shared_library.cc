// libstrata.so's own translation unit: the shared library is the capi
// module linked whole (CMakeLists.txt here), exporting only the strata_*
// symbols of include/strata/c.h (strata.map).
