package main

// The commands below are replaced by their own files as they land.
