install {
  namespace "3scale" # ERROR: Invalid block definition
}
