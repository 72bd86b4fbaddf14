{
  "statement": "{\"institution\":\"koza-renkei\",\"variant\":\"koza-renkei-2020\",\"version\":\"2020-08-21\",\"sequence\":1795329423,\"sha256\":\"5ec61467abfcaffe4d2d7751f49906bdf327a89965d591587362ac60b433e5ff\",\"size\":93618,\"signed_at\":\"2026-11-22T06:37:03Z\"}",
  "signature": "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgpbwveslPDJ97rnjYZTWIbDoLjH\nZyfgQSiyAt5spJmzQAAAAPa2l0ZWktcG9saWN5QHYxAAAAAAAAAAZzaGE1MTIAAABTAAAA\nC3NzaC1lZDI1NTE5AAAAQJe6UrfcIXPzkFFMs/7nFVCTByH0qQ6ciDxcAKOiJyatOGQV4u\nGutxPAaLFvuRSkWMNqSgyNE/TKt11WtLLe6ws=\n-----END SSH SIGNATURE-----\n"
}
