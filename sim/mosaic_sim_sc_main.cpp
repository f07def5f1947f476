// libsystemc's own main() refers to sc_main, so every program that links libsystemc needs one. Ours
// have their own main() and drive the kernel with sc_start, so this one is never called.
//
// It is compiled into each program that links mosaic_sim (an INTERFACE source), not into the static
// library: a program that uses only part of the library (the device model, say) would otherwise not
// pull in the object that defined it, and its link would fail wherever libsystemc stays linked.
extern "C" int sc_main(int, char **) { return 0; } // declared extern "C" by <systemc>
