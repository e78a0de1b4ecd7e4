# For a site installed with the 3scale operator at 2.15 with internal MySQL
# and Redis that moves its databases to AWS on the way to 2.16 (guide
# 004_c69374ff7b8e3f6e.txt chapters 4 and 6), and for the reviewers of that
# move. The AWS side (the RDS instance, the two ElastiCache instances seeded
# from the Redis dumps) is done by hand where the runbook stops and says so;
# the endpoints and credentials reach the runbook as AMPC_* environment
# variables at run time and never enter the bundle.
install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = "mysql"
}

operator {
  namespace = "3scale-operator"
}

externalize {
  system_database = "aws"
  redis           = "aws"
}
