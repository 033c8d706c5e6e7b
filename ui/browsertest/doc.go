// Package browsertest drives the node's web app in a real headless
// Chromium against a real posnode process: login on the PIN pad, scanning
// with a keyboard-wedge scanner, tenders, the receipt preview, language
// switching, the customer display and device pairing.
//
// The tests skip when Chromium is missing and the environment variable CI
// is unset; under CI a missing Chromium fails them. With
// POSNODE_SCREENSHOTS set to a directory they save a PNG of each screen
// there (make screenshots).
package browsertest
