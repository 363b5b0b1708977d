def test_far_dates_in_the_filter_get_a_message_not_an_error(client, director_a, estate_a):
    client.force_login(director_a)
    r = client.get("/issues/?date_from=1900-01-01&date_to=9999-12-31")
    assert r.status_code == 200
    assert "请选择 2000 年至 2100 年之间的日期" in r.content.decode()


def test_a_huge_number_in_the_search_box_is_just_text(client, director_a, estate_a):
    client.force_login(director_a)
    r = client.get("/issues/?q=" + "9" * 40)
    assert r.status_code == 200
