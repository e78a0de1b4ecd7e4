# For a site installed with the 3scale operator at 2.15 whose APIManager runs
# the internal MySQL, Redis and zync databases (the operator's defaults), and
# for the reviewers of its upgrade to 2.16 (guide 004_c69374ff7b8e3f6e.txt).
# 2.16 supports no internal database, so the bundle first makes them external
# on the cluster, in one maintenance window: system-mysql stays where it is,
# detached from the operator (section 3.3), and both Redis instances move to
# new Redis 7 Deployments in the project 3scale-db (3.4). Then it moves the
# operator's Subscription to threescale-2.16, and the standalone APIcast
# operator of the project apicast too (chapter 2).
install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = "mysql"
  backup_dir      = "backups/3scale-2.15"
}

operator {
  namespace         = "3scale-operator"
  apicast_namespace = "apicast"
}

externalize {
  system_database = "on-cluster"
  redis           = "on-cluster"
  namespace       = "3scale-db"
}
