{
  "statement": "{\"institution\":\"gunma\",\"variant\":\"gunma-2023\",\"version\":\"2023-06-06\",\"sequence\":1795329423,\"sha256\":\"b9c1944f784ee0d24b917294e6afab858f126d96cc97eb349bbacd84cb90064d\",\"size\":88952,\"signed_at\":\"2026-11-22T06:37:03Z\"}",
  "signature": "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgpbwveslPDJ97rnjYZTWIbDoLjH\nZyfgQSiyAt5spJmzQAAAAPa2l0ZWktcG9saWN5QHYxAAAAAAAAAAZzaGE1MTIAAABTAAAA\nC3NzaC1lZDI1NTE5AAAAQK/147lMcs15+iPK5GWjrEQeH7xsjNyGP2b75r9b+Tiw42XZZy\n8nRzHCcoo3zsJoBFfgR9eaSGRU7NV/yb7g/wM=\n-----END SSH SIGNATURE-----\n"
}
