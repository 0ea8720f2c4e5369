from flask import Blueprint

bp = Blueprint("interests", __name__)
